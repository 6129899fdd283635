"""Putting reference and current rows on the reference's scale, for methods that measure
variance or distance (PCA reconstruction, MMD). Kept apart from :mod:`.matrix` so the method
registry imports nothing but numpy."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def standardized(
    reference: NDArray[np.float64], current: NDArray[np.float64], categorical: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both sides on the reference's scale, for distance- and variance-based methods.

    Numeric columns are centred and scaled by the reference's mean and standard deviation
    (constant columns by 1), nulls set to the mean (0); categorical codes become one
    indicator column per reference code plus "other" (null: all zeros).
    """
    ref_parts: list[NDArray[np.float64]] = []
    cur_parts: list[NDArray[np.float64]] = []
    for j in range(reference.shape[1]):
        ref, cur = reference[:, j], current[:, j]
        if categorical[j]:
            finite = ref[np.isfinite(ref)]
            codes = np.union1d(np.unique(finite), np.unique(cur[np.isfinite(cur)]))
            ref_parts.append((ref[:, None] == codes[None, :]).astype(np.float64))
            cur_parts.append((cur[:, None] == codes[None, :]).astype(np.float64))
            continue
        finite = ref[np.isfinite(ref)]
        mean = float(finite.mean()) if finite.size else 0.0
        std = float(finite.std()) if finite.size else 0.0
        scale = std if std > 0 else 1.0
        ref_parts.append(np.nan_to_num((ref - mean) / scale, nan=0.0)[:, None])
        cur_parts.append(np.nan_to_num((cur - mean) / scale, nan=0.0)[:, None])
    if not ref_parts:
        return np.empty((reference.shape[0], 0)), np.empty((current.shape[0], 0))
    return np.hstack(ref_parts), np.hstack(cur_parts)
