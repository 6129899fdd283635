"""Category counts and shares: the inputs of every categorical method.

Categorical methods compare two count vectors over the same categories. The functions here
build them from label arrays (or from the values of a low-cardinality numeric column), so a
method can also be run on counts kept elsewhere, such as the collector's per-minute profiles.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Integer labels whose range is at most this many times their count are counted with
#: ``bincount`` (no sort).
_DENSE_RANGE = 4
#: FNV-1a's 64-bit prime: mixes a label's code points into one 64-bit key.
_FNV_PRIME = np.uint64(0x100000001B3)


def _factorize_strings(values: NDArray[np.str_]) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """``np.unique(values, return_inverse=True)`` by hashing: sorting 64-bit keys is several
    times faster than sorting strings. A hash collision is detected and falls back."""
    contiguous = np.ascontiguousarray(values)
    width = contiguous.dtype.itemsize // 4
    chars = contiguous.view(np.uint32).reshape(contiguous.size, width)
    keys = np.zeros(contiguous.size, dtype=np.uint64)
    for column in chars.T:
        keys *= _FNV_PRIME
        keys ^= column
    distinct = np.unique(keys)
    codes = np.searchsorted(distinct, keys)
    representative = np.empty(distinct.size, dtype=np.intp)
    representative[codes] = np.arange(contiguous.size)
    labels = contiguous[representative]
    if not np.array_equal(labels[codes], contiguous):
        return np.unique(values, return_inverse=True)
    order = np.argsort(labels)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return labels[order], rank[codes]


def factorize(values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """The sorted distinct values and each value's index among them, as
    ``np.unique(values, return_inverse=True)`` returns them, faster for labels."""
    if values.dtype.kind == "U" and values.size >= 1024 and values.dtype.itemsize >= 4:
        return _factorize_strings(values)
    return np.unique(values, return_inverse=True)


def _dense_integers(reference: NDArray[Any], current: NDArray[Any]) -> bool:
    if reference.dtype.kind not in "iu" or current.dtype.kind not in "iu":
        return False
    low = min(int(reference.min()), int(current.min()))
    high = max(int(reference.max()), int(current.max()))
    return high - low <= _DENSE_RANGE * (reference.size + current.size)


def category_counts(
    reference: NDArray[Any], current: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """The union of categories (sorted) and each side's count of every category."""
    if _dense_integers(reference, current):
        low = min(int(reference.min()), int(current.min()))
        size = max(int(reference.max()), int(current.max())) - low + 1
        ref = np.bincount(reference.astype(np.int64) - low, minlength=size)
        cur = np.bincount(current.astype(np.int64) - low, minlength=size)
        present = np.flatnonzero(ref + cur)
        return present + low, ref[present].astype(np.int64), cur[present].astype(np.int64)
    categories, codes = factorize(np.concatenate([reference, current]))
    size = len(categories)
    split = len(reference)
    reference_counts = np.bincount(codes[:split], minlength=size).astype(np.int64)
    current_counts = np.bincount(codes[split:], minlength=size).astype(np.int64)
    return categories, reference_counts, current_counts


def shares(counts: NDArray[np.integer] | NDArray[np.floating]) -> NDArray[np.float64]:
    """Counts divided by their total (which must be positive)."""
    values = np.asarray(counts, dtype=np.float64)
    return values / values.sum()


def total_variation_from_counts(
    reference_counts: NDArray[np.integer] | NDArray[np.floating],
    current_counts: NDArray[np.integer] | NDArray[np.floating],
) -> float:
    """Half the L1 distance between the two share vectors, in [0, 1]."""
    return float(0.5 * np.abs(shares(reference_counts) - shares(current_counts)).sum())


def total_variation(reference: NDArray[Any], current: NDArray[Any]) -> float:
    """Total variation distance between the category shares of two non-empty arrays."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return total_variation_from_counts(reference_counts, current_counts)


def fill_zeroes(percents: NDArray[np.float64]) -> NDArray[np.float64]:
    """Evidently's ``feel_zeroes``: empty bins get a small share so logarithms stay finite.

    The share is ``min(non-zero) / 1e6`` when the smallest non-zero share is at most 0.0001,
    otherwise 0.0001 (``evidently/legacy/calculations/stattests/utils.py``). The result no
    longer sums to exactly one, as in Evidently.
    """
    filled = percents.astype(np.float64, copy=True)
    smallest = float(filled[filled != 0].min())
    filled[filled == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return filled
