"""The error of a profile's sketches, as DataSketches documents it.

A KLL sketch of ``k`` answers rank and CDF queries within a normalized rank error ``eps``
of the truth, and PMF queries (the mass of an interval) within a "double-sided" error,
both with 99 % confidence; the constants (``kll_doubles_sketch.get_normalized_rank_error``)
were fit to the 99th percentile of the largest error measured over all ranks in thousands
of trials, so they bound the whole CDF at once. For k = 200: 1.33 % single-sided, 1.65 %
double-sided. A sketch that never compacted (fewer values than its first level holds)
keeps every value, and its error is 0.
"""

from __future__ import annotations

from typing import Any

from store.profile_records import FeatureProfile, kll_from_bytes


def sketch_of(profile: FeatureProfile) -> Any | None:
    """The profile's ``kll_doubles_sketch``, or None without values."""
    return None if profile.kll is None else kll_from_bytes(profile.kll)


def rank_error(sketch: Any) -> float:
    """Largest error of any CDF value of ``sketch`` (99 % confidence); 0 when exact."""
    if sketch is None or not sketch.is_estimation_mode():
        return 0.0
    return float(sketch.normalized_rank_error(False))


def pmf_error(sketch: Any) -> float:
    """Largest error of the mass of any one interval (99 % confidence); 0 when exact."""
    if sketch is None or not sketch.is_estimation_mode():
        return 0.0
    return float(sketch.normalized_rank_error(True))
