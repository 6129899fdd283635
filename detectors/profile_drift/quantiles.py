"""Kolmogorov-Smirnov and normed Wasserstein distances from two KLL sketches, with bounds.

Each sketch gives an estimate ``G`` of its empirical CDF ``F``: a step function that jumps
only at the sketch's retained values, with ``|G(x) - F(x)| <= eps`` for all ``x`` (see
:mod:`detectors.profile_drift.bounds`). Both statistics are computed exactly on the
estimates, over the union of the retained values of both sketches:

- **KS**: ``D' = max |G_ref - G_cur|``. Since ``|G - F| <= eps`` on each side,
  ``|D' - D| <= eps_ref + eps_cur`` (2.66 % at k = 200 when both sketches compacted, 1.33 %
  when one side is exact). The p-value is the asymptotic two-sided Kolmogorov p-value of
  ``D'`` for the two sample sizes (scipy's ``kstwo`` with ``n*m/(n+m)``, as ``ks_2samp``'s
  asymptotic mode).
- **Wasserstein** (normed as Evidently): ``W' = integral |G_ref - G_cur| dx / norm``, with
  ``norm = max(std_ref, 0.001)`` taken from the reference profile's exact moments. Both CDF
  errors only act between the smallest and largest value (outside, every CDF is 0 or 1
  exactly), so ``|W' - W| <= (eps_ref + eps_cur) * (max - min) / norm``. The bound grows
  with the range: an outlier far out loosens it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.profile_drift.bounds import rank_error
from store.profile_records import FeatureProfile, kll_from_bytes

#: Evidently's floor of the Wasserstein normaliser (as :mod:`detectors.methods.wasserstein`).
MIN_NORM = 0.001


@dataclass(frozen=True, slots=True)
class SketchCdfs:
    """Both estimated CDFs on the union of retained values (sorted, distinct)."""

    points: NDArray[np.float64]
    reference: NDArray[np.float64]
    current: NDArray[np.float64]
    error: float  #: eps_ref + eps_cur


def _retained(sketch: Any) -> NDArray[np.float64]:
    return np.fromiter((item for item, _weight in sketch), dtype=np.float64)


def sketch_cdfs(reference: FeatureProfile, current: FeatureProfile) -> SketchCdfs:
    """``G_ref`` and ``G_cur`` (shares at or below each point); both profiles need values."""
    if reference.kll is None or current.kll is None:
        raise ValueError("both profiles need a KLL sketch (at least one value each)")
    ref, cur = kll_from_bytes(reference.kll), kll_from_bytes(current.kll)
    points = np.unique(np.concatenate([_retained(ref), _retained(cur)]))
    split = points.tolist()
    ref_cdf = np.asarray(ref.get_cdf(split, True)[:-1], dtype=np.float64)
    cur_cdf = np.asarray(cur.get_cdf(split, True)[:-1], dtype=np.float64)
    return SketchCdfs(points, ref_cdf, cur_cdf, rank_error(ref) + rank_error(cur))


def ks_from_profiles(
    reference: FeatureProfile, current: FeatureProfile
) -> tuple[float, float | None, float]:
    """KS distance ``D'``, its asymptotic p-value and the bound on ``|D' - D|``."""
    from scipy import stats

    cdfs = sketch_cdfs(reference, current)
    distance = float(np.abs(cdfs.reference - cdfs.current).max())
    n, m = reference.values, current.values
    p_value = float(stats.kstwo.sf(distance, max(1, round(n * m / (n + m)))))
    return distance, p_value, cdfs.error


def wasserstein_from_profiles(
    reference: FeatureProfile, current: FeatureProfile
) -> tuple[float, float]:
    """Normed Wasserstein distance ``W'`` and the bound on ``|W' - W|``."""
    cdfs = sketch_cdfs(reference, current)
    gaps = np.abs(cdfs.reference - cdfs.current)[:-1]
    area = float(np.dot(np.diff(cdfs.points), gaps))
    norm = max(float(np.sqrt(reference.variance)), MIN_NORM)
    assert reference.minimum is not None and current.minimum is not None
    assert reference.maximum is not None and current.maximum is not None
    span = max(reference.maximum, current.maximum) - min(reference.minimum, current.minimum)
    return area / norm, cdfs.error * span / norm
