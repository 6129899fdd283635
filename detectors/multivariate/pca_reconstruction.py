"""PCA reconstruction error: do the window's rows still lie where the reference's do?

NannyML's "data reconstruction drift", with an effect-size threshold. Fitted on the
reference: rows are standardized (:func:`detectors.multivariate.scaling.standardized`), a PCA
keeps the components explaining ``variance`` (90%) of the reference's variance, and a row's
reconstruction error is the mean squared difference between the row and its projection
back from those components. A shift in the relations between features (a correlation that
breaks) raises the error even when every marginal distribution stays the same, which no
univariate test sees.

The reference is split: the PCA is fitted on ``1 - holdout`` of it and the held-out part
gives the error of unseen reference rows (an error on fitting rows would be optimistic).
``value`` is the ratio of the current rows' mean error to the held-out rows' mean error (1:
no change). Drifted when the ratio exceeds ``threshold`` (default 1.1: 10% more error) **and**
the difference is significant (Welch's z above ``Z_LIMIT`` = 3, NannyML's three-sigma
band): the ratio keeps large windows from alerting on negligible changes, the z keeps small
ones from alerting on noise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MultivariateMethod, MultivariateResult, NotComputable
from detectors.multivariate.scaling import standardized

#: Share of the reference held out to measure its own error.
HOLDOUT = 0.3
#: Share of the reference's variance the kept components explain.
VARIANCE = 0.9
#: Welch's z the difference in mean error must exceed (three sigma, as NannyML).
Z_LIMIT = 3.0

PCA_RECONSTRUCTION = MultivariateMethod(
    name="pca_reconstruction",
    description="current / reference mean PCA reconstruction error",
    default_threshold=1.1,
    direction="above",
    bounds=(1.0, math.inf),
)


def reconstruction_errors(pca: object, rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each row's mean squared reconstruction error through a fitted scikit-learn PCA."""
    restored = pca.inverse_transform(pca.transform(rows))  # type: ignore[attr-defined]
    return np.asarray(((rows - restored) ** 2).mean(axis=1), dtype=np.float64)


def pca_reconstruction(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    categorical: NDArray[np.bool_],
    names: tuple[str, ...],
    threshold: float = PCA_RECONSTRUCTION.default_threshold,
    seed: int = 0,
    variance: float = VARIANCE,
    holdout: float = HOLDOUT,
) -> MultivariateResult:
    """Ratio of current to held-out reference reconstruction error (module docstring)."""
    from sklearn.decomposition import PCA
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # see domain_classifier: busy cores and thread pools
        return _pca_reconstruction(
            reference, current, categorical, names, threshold, seed, variance, holdout, PCA
        )


def _pca_reconstruction(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    categorical: NDArray[np.bool_],
    names: tuple[str, ...],
    threshold: float,
    seed: int,
    variance: float,
    holdout: float,
    PCA: Any,
) -> MultivariateResult:
    ref, cur = standardized(reference, current, categorical)
    order = np.random.default_rng(seed).permutation(ref.shape[0])
    cut = max(round(ref.shape[0] * (1 - holdout)), 2)
    fit, held = ref[order[:cut]], ref[order[cut:]]
    pca = PCA(n_components=variance, svd_solver="full", random_state=seed).fit(fit)
    held_errors = reconstruction_errors(pca, held)
    current_errors = reconstruction_errors(pca, cur)
    held_mean, current_mean = float(held_errors.mean()), float(current_errors.mean())
    spread = math.sqrt(
        held_errors.var(ddof=1) / held_errors.size + current_errors.var(ddof=1) / cur.shape[0]
    )
    z = (current_mean - held_mean) / spread if spread > 0 else 0.0
    ratio = current_mean / held_mean if held_mean > 0 else math.inf
    details = {
        "components": int(pca.n_components_),
        "columns": int(ref.shape[1]),
        "features": list(names),
        "reference_error": held_mean,
        "current_error": current_mean,
        "z": z,
        "z_limit": Z_LIMIT,
        "reference_rows": int(reference.shape[0]),
        "current_rows": int(current.shape[0]),
    }
    if not math.isfinite(ratio):
        raise NotComputable("the reference is reconstructed exactly: no error to compare with")
    return MultivariateResult(ratio, threshold, ratio > threshold and z > Z_LIMIT, details)
