"""Kullback-Leibler divergence of the current from the reference (numeric and categorical).

Matches Evidently 0.7's ``kl_div`` stattest (``.../stattests/kl_div.py``)::

    ref, cur = get_binned_data(reference, current, feature_type, n_bins, feel_zeroes=True)
    kl = scipy.stats.entropy(ref, cur)    # sum(p * ln(p / q)), p and q renormalised

with the same bins and empty-bin shares as PSI (:mod:`detectors.methods.binning`). Natural
logarithm; not symmetric: ``KL(reference || current)``. Default threshold 0.1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.binning import binned_shares


def kl_from_shares(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    """``scipy.stats.entropy(reference, current)`` for share vectors without zeros."""
    p = reference / reference.sum()
    q = current / current.sum()
    return float(np.sum(p * np.log(p / q)))


def kl_divergence_value(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """KL divergence between the binned shares of two non-empty arrays."""
    reference_shares, current_shares = binned_shares(reference, current, fill=True)
    return kl_from_shares(reference_shares, current_shares)


def kl_divergence(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """KL divergence as a method result (no p-value)."""
    return MethodResult.distance(kl_divergence_value(reference, current))


KL_DIVERGENCE = DriftMethod(
    name="kl_div",
    title="Kullback-Leibler divergence",
    kinds=frozenset({"numeric", "categorical", "boolean"}),
    default_threshold=0.1,
    function=kl_divergence,
    evidently="kl_div",
)
