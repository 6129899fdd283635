"""Jensen-Shannon distance between category frequencies (categorical and boolean features).

Matches Evidently 0.7's ``jensenshannon`` stattest for categorical columns
(``evidently/legacy/calculations/stattests/jensenshannon.py`` with ``get_binned_data`` in
``.../stattests/utils.py``):

- the categories are the union of the non-null values of reference and current;
- each side's distribution is its category counts divided by its number of values
  (categories absent on one side get 0; no smoothing, ``feel_zeroes=False``);
- the distance is ``scipy.spatial.distance.jensenshannon(p, q, base=None)``: the square
  root of the JS divergence in **natural log**, so it lies in ``[0, sqrt(ln 2)]``
  (about ``[0, 0.8326]``), not in ``[0, 1]`` as with base 2.

The formula below is scipy's (``p``, ``q`` normalised to sum 1, ``m = (p + q) / 2``,
``sqrt((rel_entr(p, m).sum() + rel_entr(q, m).sum()) / 2)``), written out in numpy so that it
works on counts (which the collector's per-minute profiles keep), needs no scipy import, and
clamps a rounding error below zero to zero instead of returning NaN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod

#: The largest value the distance can take (disjoint categories), with natural logs.
MAX_DISTANCE = float(np.sqrt(np.log(2.0)))


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


def category_counts(
    reference: NDArray[np.str_], current: NDArray[np.str_]
) -> tuple[NDArray[np.str_], NDArray[np.int64], NDArray[np.int64]]:
    """The union of categories (sorted) and each side's count of every category."""
    categories, codes = np.unique(np.concatenate([reference, current]), return_inverse=True)
    size = len(categories)
    split = len(reference)
    reference_counts = np.bincount(codes[:split], minlength=size).astype(np.int64)
    current_counts = np.bincount(codes[split:], minlength=size).astype(np.int64)
    return categories, reference_counts, current_counts


def jensen_shannon_distance(reference: NDArray[np.str_], current: NDArray[np.str_]) -> float:
    """JS distance between the category frequencies of two non-empty label arrays."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return jensen_shannon_from_counts(reference_counts, current_counts)


JENSEN_SHANNON = DriftMethod(
    name="jensen_shannon",
    title="Jensen-Shannon distance (natural log)",
    kinds=frozenset({"categorical", "boolean"}),
    default_threshold=0.1,
    function=jensen_shannon_distance,
)
