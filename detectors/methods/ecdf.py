"""Empirical distribution functions: the Kolmogorov-Smirnov distance of two samples.

The effect size of every numeric test on empirical CDFs (Kolmogorov-Smirnov,
Anderson-Darling, Cramér-von Mises): ``D = max_x |F_ref(x) - F_cur(x)|``, the largest
difference, over all cut-offs, between the shares of each sample at or below the cut-off.
It equals ``scipy.stats.ks_2samp(...).statistic``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def ks_distance(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    """The two-sample Kolmogorov-Smirnov distance of two non-empty arrays, in [0, 1]."""
    ref = np.sort(reference)
    cur = np.sort(current)
    pooled = np.concatenate([ref, cur])
    ref_cdf = np.searchsorted(ref, pooled, side="right") / ref.size
    cur_cdf = np.searchsorted(cur, pooled, side="right") / cur.size
    return float(np.abs(ref_cdf - cur_cdf).max())
