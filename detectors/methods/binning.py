"""The binned shares Evidently's PSI, KL divergence and Jensen-Shannon compare.

A copy, in numpy, of ``get_binned_data`` (``evidently/legacy/calculations/stattests/utils.py``):

- a numeric column whose reference has more than 20 distinct values is cut into Sturges
  bins over the range of reference and current together
  (``np.histogram_bin_edges(combined, "sturges")``), and each side's share of every bin is
  its count divided by its size;
- any other column (categorical, or numeric with few distinct values) uses each distinct
  value of either side as a bin;
- with ``fill=True`` empty bins get Evidently's small share (:func:`counts.fill_zeroes`).

Numeric data is recognised by its dtype (float64); categorical labels are strings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.counts import category_counts, fill_zeroes

#: More distinct reference values than this: a numeric column is binned, not counted.
MAX_COUNTED_VALUES = 20


def is_numeric(values: NDArray[Any]) -> bool:
    """Numeric method inputs are float64; category labels are strings."""
    return values.dtype.kind == "f"


def has_more_distinct_than(values: NDArray[Any], limit: int) -> bool:
    """Whether ``values`` holds more than ``limit`` distinct values (a cheap look first)."""
    if np.unique(values[:4096]).size > limit:
        return True
    return bool(np.unique(values).size > limit)


def histogram_shares(
    reference: NDArray[np.float64], current: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each side's share of the Sturges bins of the combined data."""
    edges = np.histogram_bin_edges(np.concatenate([reference, current]), bins="sturges")
    reference_counts = np.histogram(reference, edges)[0]
    current_counts = np.histogram(current, edges)[0]
    return reference_counts / reference.size, current_counts / current.size


def binned_shares(
    reference: NDArray[Any], current: NDArray[Any], *, fill: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Reference and current shares over the same bins, as Evidently computes them."""
    if is_numeric(reference) and has_more_distinct_than(reference, MAX_COUNTED_VALUES):
        reference_shares, current_shares = histogram_shares(reference, current)
    else:
        _, reference_counts, current_counts = category_counts(reference, current)
        reference_shares = reference_counts / reference.size
        current_shares = current_counts / current.size
    if fill:
        return fill_zeroes(reference_shares), fill_zeroes(current_shares)
    return reference_shares, current_shares
