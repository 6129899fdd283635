"""Maximum mean discrepancy through alibi-detect, when the optional ``alibi`` extra is there.

alibi-detect is licensed under the Business Source License, so Vigil never requires it:
``pip install 'vigil[alibi]'`` adds it, with one of its backends (PyTorch or TensorFlow,
which ``MMDDrift`` needs). The import happens on first use; without the package the method
raises :class:`~detectors.multivariate.base.MissingExtra`, which the detector stores as a
``not_computable`` signal naming the extra (and the config check refuses ``method: mmd``
when the package is absent, so that mistake fails at start).

Rows are standardized and one-hot encoded (:func:`detectors.multivariate.scaling.standardized`),
then ``MMDDrift`` runs its permutation test with a Gaussian kernel whose bandwidth is the
median heuristic. ``value`` is the permutation p-value; drifted when it is **below**
``threshold`` (default 0.05, alibi-detect's ``p_val``); the MMD^2 statistic is in details.
"""

from __future__ import annotations

import importlib.util

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MissingExtra, MultivariateMethod, MultivariateResult
from detectors.multivariate.scaling import standardized

MMD = MultivariateMethod(
    name="mmd",
    description="alibi-detect MMDDrift permutation p-value (optional `alibi` extra)",
    default_threshold=0.05,
    direction="below",
    bounds=(0.0, 1.0),
    extra="alibi",
)
#: alibi-detect's backends for MMDDrift, in the order they are tried.
BACKENDS = (("torch", "pytorch"), ("tensorflow", "tensorflow"), ("pykeops", "keops"))
INSTALL_HINT = "pip install 'vigil[alibi]' (alibi-detect) and PyTorch or TensorFlow"


def alibi_installed() -> bool:
    """Whether alibi-detect can be imported (checked without importing it)."""
    return importlib.util.find_spec("alibi_detect") is not None


def backend() -> str:
    """The first installed alibi-detect backend; raises MissingExtra when none is."""
    if not alibi_installed():
        raise MissingExtra(f"method mmd needs the optional `alibi` extra: {INSTALL_HINT}")
    for module, name in BACKENDS:
        if importlib.util.find_spec(module) is not None:
            return name
    raise MissingExtra(f"method mmd needs a backend for alibi-detect: {INSTALL_HINT}")


def mmd(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    categorical: NDArray[np.bool_],
    names: tuple[str, ...],
    threshold: float = MMD.default_threshold,
    seed: int = 0,
    permutations: int = 100,
) -> MultivariateResult:
    """alibi-detect's MMD permutation test; drifted when the p-value is below ``threshold``."""
    chosen = backend()
    from alibi_detect.cd import MMDDrift

    ref, cur = standardized(reference, current, categorical)
    detector = MMDDrift(
        ref.astype(np.float32), backend=chosen, p_val=threshold, n_permutations=permutations
    )
    data = detector.predict(cur.astype(np.float32))["data"]
    p_value = float(data["p_val"])
    return MultivariateResult(
        value=p_value,
        threshold=threshold,
        drifted=p_value < threshold,
        details={
            "mmd2": float(data["distance"]),
            "backend": chosen,
            "features": list(names),
            "reference_rows": int(reference.shape[0]),
            "current_rows": int(current.shape[0]),
        },
    )
