"""Numeric feature profiles of many (version, minute) groups from one batch, with numpy.

Counts, sums and squared deviations come from ``bincount`` with weights (one pass each);
minimum and maximum from ``reduceat`` over the values sorted by group; each group's KLL
sketch takes its slice in one ``update`` call. Per group the result equals
:func:`store.profile_records.numeric_profile` of that group's values (a test checks it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from collector.profiles.histogram import grouped_histograms
from store.profile_records import FeatureProfile, SketchSettings, kll_of, numeric_profile


def grouped_numeric(
    values: NDArray[np.float64],
    groups: NDArray[np.intp],
    n_groups: int,
    settings: SketchSettings,
    edges: NDArray[np.float64] | None = None,
) -> list[FeatureProfile]:
    """One profile per group code ``0 .. n_groups - 1``; NaN values are nulls."""
    if n_groups == 1:  # one version in one minute: the usual writer batch
        return [numeric_profile(values, settings, edges)]
    finite = np.isfinite(values)
    rows = np.bincount(groups, minlength=n_groups)
    kept_groups = groups[finite]
    kept = values[finite]
    sizes = np.bincount(kept_groups, minlength=n_groups)
    sums = np.bincount(kept_groups, weights=kept, minlength=n_groups)
    means = np.divide(sums, sizes, out=np.zeros(n_groups), where=sizes > 0)
    deviations = kept - means[kept_groups]
    m2 = np.bincount(kept_groups, weights=deviations * deviations, minlength=n_groups)
    order = np.argsort(kept_groups, kind="stable")
    ordered = kept[order]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    present = sizes > 0
    minima = np.full(n_groups, np.nan)
    maxima = np.full(n_groups, np.nan)
    if ordered.size:
        minima[present] = np.minimum.reduceat(ordered, starts[present])
        maxima[present] = np.maximum.reduceat(ordered, starts[present])
    histograms = (
        grouped_histograms(kept, kept_groups, n_groups, edges) if edges is not None else None
    )
    profiles = []
    for g in range(n_groups):
        count, size = int(rows[g]), int(sizes[g])
        if size == 0:
            profiles.append(FeatureProfile("numeric", count, count))
            continue
        part = ordered[starts[g] : starts[g] + size]
        profiles.append(
            FeatureProfile(
                kind="numeric",
                count=count,
                nulls=count - size,
                minimum=float(minima[g]),
                maximum=float(maxima[g]),
                mean=float(means[g]),
                m2=float(m2[g]),
                kll=kll_of(part, settings.kll_k),
                histogram=None if histograms is None else histograms[g],
            )
        )
    return profiles
