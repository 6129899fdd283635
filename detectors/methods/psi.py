"""Population Stability Index (numeric and categorical features).

Matches Evidently 0.7's ``psi`` stattest (``.../stattests/psi.py``)::

    ref, cur = get_binned_data(reference, current, feature_type, n_bins, feel_zeroes=True)
    psi = sum((ref - cur) * ln(ref / cur))

Numeric columns with more than 20 distinct reference values are cut into Sturges bins of
both sides together (Evidently's ``n_bins=30`` argument is not used for them); other
columns count each value. Empty bins get Evidently's small share so the logarithm stays
finite (:mod:`detectors.methods.binning`). Default threshold 0.1, as in Evidently (the
industry rule of thumb: below 0.1 stable, 0.1-0.25 moderate, above 0.25 a major shift).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.binning import binned_shares


def psi_from_shares(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    """PSI of two share vectors without zeros."""
    return float(np.sum((reference - current) * np.log(reference / current)))


def population_stability_index(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """PSI between the binned shares of two non-empty arrays."""
    reference_shares, current_shares = binned_shares(reference, current, fill=True)
    return psi_from_shares(reference_shares, current_shares)


def psi(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """PSI as a method result (no p-value)."""
    return MethodResult.distance(population_stability_index(reference, current))


PSI = DriftMethod(
    name="psi",
    title="Population Stability Index",
    kinds=frozenset({"numeric", "categorical", "boolean"}),
    default_threshold=0.1,
    function=psi,
    evidently="psi",
)
