"""Jensen-Shannon distance between binned shares (categorical and numeric features).

Matches Evidently 0.7's ``jensenshannon`` stattest
(``evidently/legacy/calculations/stattests/jensenshannon.py`` with ``get_binned_data`` in
``.../stattests/utils.py``, copied in :mod:`detectors.methods.binning`):

- categories: the union of the non-null values of both sides; a numeric column with more
  than 20 distinct reference values: Sturges bins over both sides together;
- each side's distribution is its counts divided by its number of values (no smoothing,
  ``feel_zeroes=False``);
- the distance is ``scipy.spatial.distance.jensenshannon(p, q, base=None)``: the square
  root of the JS divergence in **natural log**, so it lies in ``[0, sqrt(ln 2)]``
  (about ``[0, 0.8326]``), not in ``[0, 1]`` as with base 2.

The formula below is scipy's (``p``, ``q`` normalised to sum 1, ``m = (p + q) / 2``,
``sqrt((rel_entr(p, m).sum() + rel_entr(q, m).sum()) / 2)``), written out in numpy so that it
works on counts (which the collector's per-minute profiles keep), needs no scipy import, and
clamps a rounding error below zero to zero instead of returning NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.binning import binned_shares
from detectors.methods.counts import category_counts

#: The largest value the distance can take (disjoint categories), with natural logs.
MAX_DISTANCE = float(np.sqrt(np.log(2.0)))

__all__ = ["JENSEN_SHANNON", "MAX_DISTANCE", "category_counts", "jensen_shannon_distance"]


def jensen_shannon_from_counts(
    reference_counts: NDArray[np.integer] | NDArray[np.floating],
    current_counts: NDArray[np.integer] | NDArray[np.floating],
) -> float:
    """JS distance (natural log) between two count vectors over the same categories.

    Each vector must have a positive sum; entries at the same index are the same category.
    """
    p = np.asarray(reference_counts, dtype=np.float64)
    q = np.asarray(current_counts, dtype=np.float64)
    p = p / p.sum()
    q = q / q.sum()
    m = (p + q) / 2.0
    divergence = _relative_entropy(p, m) + _relative_entropy(q, m)
    return float(np.sqrt(max(divergence, 0.0) / 2.0))


def _relative_entropy(p: NDArray[np.float64], m: NDArray[np.float64]) -> float:
    """``sum(p * log(p / m))`` over ``p > 0`` (``m > 0`` wherever ``p > 0``), natural log."""
    present = p > 0
    return float(np.sum(p[present] * np.log(p[present] / m[present])))


def jensen_shannon_distance(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """JS distance between the binned shares of two non-empty arrays."""
    reference_shares, current_shares = binned_shares(reference, current, fill=False)
    return jensen_shannon_from_counts(reference_shares, current_shares)


def jensen_shannon(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """The distance as a method result (no p-value)."""
    return MethodResult.distance(jensen_shannon_distance(reference, current))


JENSEN_SHANNON = DriftMethod(
    name="jensen_shannon",
    title="Jensen-Shannon distance (natural log)",
    kinds=frozenset({"numeric", "categorical", "boolean"}),
    default_threshold=0.1,
    function=jensen_shannon,
    evidently="jensenshannon",
)
