"""Two profiles' counts over the same bins or categories: the inputs of the binned methods.

Numeric features are counted on the reference's bin edges (:mod:`store.bin_edges`). A
profile whose histogram was counted on those edges gives **exact** counts: the collector
counted every value, and counts add exactly when minutes and collectors merge. A profile
without one (its minutes were written before the edges were stored, or across a refit)
falls back to its KLL sketch's PMF on the edges; each bin's share is then within the
sketch's double-sided error ``eps2`` (1.65 % at k = 200), so the total variation between
the estimated and the true share vectors is at most ``bins * eps2 / 2`` (capped at 1).

Categorical features use each side's category counts: exact below ``category_cap``; past
it, frequent-items estimates, each within ``epsilon * N`` of the truth, plus one
``(other)`` bucket for the weight no estimate covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from detectors.profile_drift.bounds import pmf_error, sketch_of
from store.bin_edges import edges_id
from store.profile_records import FeatureProfile, category_estimates, frequent_error_bound

#: The bucket of the weight a frequent-items sketch does not attribute to a category.
OTHER = "(other)"


@dataclass(frozen=True, slots=True)
class AlignedCounts:
    """Counts of both sides over the same bins; ``share_error`` bounds, per side, the total
    variation between the shares these counts give and the true shares (0 when exact)."""

    labels: tuple[str, ...]
    reference: NDArray[np.float64]
    current: NDArray[np.float64]
    reference_error: float
    current_error: float

    @property
    def exact(self) -> bool:
        return self.reference_error == 0.0 and self.current_error == 0.0


def _numeric_side(
    profile: FeatureProfile, edges: NDArray[np.float64], fingerprint: str
) -> tuple[NDArray[np.float64], float]:
    histogram = profile.histogram
    if histogram is not None and histogram.edges_id == fingerprint:
        return np.asarray(histogram.counts, dtype=np.float64), 0.0
    sketch = sketch_of(profile)
    if sketch is None:
        return np.zeros(edges.size + 1), 0.0
    masses = np.asarray(sketch.get_pmf(edges.tolist(), False), dtype=np.float64)
    error = min(1.0, (edges.size + 1) * pmf_error(sketch) / 2.0)
    return masses * profile.values, error


def numeric_counts(
    reference: FeatureProfile, current: FeatureProfile, edges: NDArray[np.float64]
) -> AlignedCounts:
    """Both sides' counts on the ``len(edges) + 1`` bins of ``edges``."""
    fingerprint = edges_id(edges)
    ref, ref_error = _numeric_side(reference, edges, fingerprint)
    cur, cur_error = _numeric_side(current, edges, fingerprint)
    # Bins empty on both sides are dropped, as the raw-value methods only see bins that
    # hold a value (an empty pair would make chi-square's 0/0 a NaN).
    kept = np.flatnonzero(ref + cur > 0)
    labels = tuple(f"bin{i}" for i in kept.tolist())
    return AlignedCounts(labels, ref[kept], cur[kept], ref_error, cur_error)


def _categorical_error(profile: FeatureProfile, categories: int) -> float:
    if profile.frequent is None or profile.values == 0:
        return 0.0
    per_category = frequent_error_bound(profile) / profile.values
    return min(1.0, per_category * (categories + 1) / 2.0)


def categorical_counts(reference: FeatureProfile, current: FeatureProfile) -> AlignedCounts:
    """Both sides' counts over the union of their categories (sorted; ``(other)`` last)."""
    ref, ref_rest = category_estimates(reference)
    cur, cur_rest = category_estimates(current)
    labels = sorted(set(ref) | set(cur))
    if ref_rest or cur_rest:
        labels.append(OTHER)
        ref[OTHER], cur[OTHER] = ref_rest, cur_rest
    return AlignedCounts(
        tuple(labels),
        np.asarray([ref.get(label, 0) for label in labels], dtype=np.float64),
        np.asarray([cur.get(label, 0) for label in labels], dtype=np.float64),
        _categorical_error(reference, len(labels)),
        _categorical_error(current, len(labels)),
    )
