"""Counts on the reference's bin edges for many groups of values at once.

The edges and the bins are :mod:`store.bin_edges`'s, so a histogram counted here is the
histogram the detectors fit on the reference. One ``bincount`` over ``group * bins + bin``
counts every group in one pass.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from store.bin_edges import bin_index, edges_id
from store.profile_records import Histogram


def grouped_histograms(
    values: NDArray[np.float64],
    groups: NDArray[np.intp],
    n_groups: int,
    edges: NDArray[np.float64],
) -> list[Histogram]:
    """Per group, the counts of its (finite) ``values`` on ``edges``."""
    width = edges.size + 1
    flat = groups * width + bin_index(values, edges)
    counts = np.bincount(flat, minlength=n_groups * width).reshape(n_groups, width)
    fingerprint = edges_id(edges)
    return [Histogram(fingerprint, tuple(int(c) for c in row)) for row in counts.tolist()]
