"""Categorical feature profiles of many (version, minute) groups from one batch.

Labels are factorized once (``np.unique``) and every group's counts come from one
``bincount`` over ``group * categories + code``. A group with more distinct values than
``category_cap`` becomes a frequent-items sketch (:func:`store.profile_records.
categorical_profile`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from store.profile_records import FeatureProfile, SketchSettings, categorical_profile


def grouped_categorical(
    labels: Sequence[str | None],
    groups: NDArray[np.intp],
    n_groups: int,
    settings: SketchSettings,
) -> list[FeatureProfile]:
    """One profile per group code; ``None`` labels are nulls."""
    present = np.fromiter((label is not None for label in labels), dtype=bool, count=len(labels))
    rows = np.bincount(groups, minlength=n_groups)
    kept_groups = groups[present]
    kept = np.array([label for label in labels if label is not None], dtype=np.str_)
    sizes = np.bincount(kept_groups, minlength=n_groups)
    if kept.size == 0:
        return [categorical_profile({}, int(rows[g]), settings) for g in range(n_groups)]
    categories, codes = np.unique(kept, return_inverse=True)
    width = categories.size
    table = np.bincount(kept_groups * width + codes, minlength=n_groups * width)
    table = table.reshape(n_groups, width)
    names = categories.tolist()
    profiles = []
    for g in range(n_groups):
        row = table[g]
        nonzero = np.flatnonzero(row)
        counts = {names[i]: int(row[i]) for i in nonzero.tolist()}
        profiles.append(categorical_profile(counts, int(rows[g] - sizes[g]), settings))
    return profiles
