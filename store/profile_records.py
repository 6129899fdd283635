"""Mergeable feature profiles and row reservoirs: the records, and how two of them merge.

The collector writes a :class:`FeatureProfile` per model, version, feature and minute; the
detectors merge the minutes of a window (from any number of collectors) and compute drift
on the result. Both sides need the same records and the same merge, so they live here, in
the bottom layer, as pure functions.

Every part of a profile merges exactly or within a sketch's documented error, in any order
(the merge is associative and commutative):

- ``count``, ``nulls``, ``minimum``, ``maximum``: sums, min and max (exact);
- ``mean`` and ``m2`` (the sum of squared deviations): Chan et al.'s parallel update
  ``m2 = m2_a + m2_b + delta**2 * n_a * n_b / n`` (exact up to floating-point rounding);
- ``kll``: a serialized DataSketches ``kll_doubles_sketch``; sketches merge, and a merged
  sketch keeps the rank error of the smallest ``k`` (1.33 % single-sided, 1.65 % for a
  PMF at k = 200, with 99 % confidence);
- ``categories``: exact counts while a feature has at most ``category_cap`` distinct values
  in the profile; past the cap they become a ``frequent_strings_sketch`` (``frequent``),
  whose estimate of any count is off by at most its ``epsilon * total weight``;
- ``histogram``: counts on the reference's bin edges (:mod:`store.bin_edges`); summed when
  both sides used the same edges (same fingerprint). A merge of histograms on different
  edges (the reference was refitted meanwhile) has no histogram, and the drift methods fall
  back to the KLL sketch.

A :class:`Reservoir` is a uniform sample of at most ``capacity`` rows of the ``seen`` rows
of a model's window; two reservoirs merge into a uniform sample of the union by drawing
how many rows come from each side from a hypergeometric distribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from store.bin_edges import bin_counts, edges_id

ProfileKind = Literal["numeric", "categorical"]


@dataclass(frozen=True, slots=True)
class SketchSettings:
    """Sizes of the sketches (``collector.profiles`` in ``vigil.yaml``)."""

    kll_k: int = 200
    category_cap: int = 1000
    frequent_lg_max_k: int = 11


DEFAULT_SETTINGS = SketchSettings()


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of a profile's values on the reference bins identified by ``edges_id``."""

    edges_id: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FeatureProfile:
    """What is kept of one feature's values over a stretch of traffic.

    ``count`` counts rows that carried the feature or a null for it; ``nulls`` the nulls
    (absent, null, or for numeric features non-finite). The other fields describe the
    ``count - nulls`` values. Numeric profiles use ``minimum`` to ``kll`` and
    ``histogram``; categorical (and boolean, text) profiles use ``categories`` or
    ``frequent``.
    """

    kind: ProfileKind
    count: int
    nulls: int
    minimum: float | None = None
    maximum: float | None = None
    mean: float = 0.0
    m2: float = 0.0
    kll: bytes | None = None
    categories: Mapping[str, int] | None = None
    frequent: bytes | None = None
    histogram: Histogram | None = None

    @property
    def values(self) -> int:
        """How many non-null values the profile describes."""
        return self.count - self.nulls

    @property
    def variance(self) -> float:
        """Population variance (ddof=0, as ``np.var``) of the values; 0 without values."""
        return self.m2 / self.values if self.values > 0 else 0.0


# Sketches.


def kll_from_bytes(data: bytes) -> Any:
    """A ``kll_doubles_sketch`` from its serialized form."""
    from datasketches import kll_doubles_sketch

    return kll_doubles_sketch.deserialize(data)


def kll_of(values: NDArray[np.float64], k: int) -> bytes:
    """The serialized KLL sketch of ``values``."""
    from datasketches import kll_doubles_sketch

    sketch = kll_doubles_sketch(k)
    sketch.update(np.ascontiguousarray(values, dtype=np.float64))
    return bytes(sketch.serialize())


def _merge_kll(a: bytes | None, b: bytes | None) -> bytes | None:
    if a is None or b is None:
        return a if b is None else b
    sketch = kll_from_bytes(a)
    sketch.merge(kll_from_bytes(b))
    return bytes(sketch.serialize())


def _frequent_from_bytes(data: bytes) -> Any:
    from datasketches import frequent_strings_sketch

    return frequent_strings_sketch.deserialize(data)


def _frequent_of(counts: Mapping[str, int], lg_max_k: int) -> Any:
    from datasketches import frequent_strings_sketch

    sketch = frequent_strings_sketch(lg_max_k)
    for item, count in counts.items():
        sketch.update(item, int(count))
    return sketch


def category_estimates(profile: FeatureProfile) -> tuple[dict[str, int], int]:
    """Each category's count (exact, or the frequent-items estimate) and the weight of the
    values no estimate covers (0 when counts are exact)."""
    if profile.categories is not None:
        return dict(profile.categories), 0
    if profile.frequent is None:
        return {}, profile.values
    from datasketches import frequent_items_error_type

    sketch = _frequent_from_bytes(profile.frequent)
    rows = sketch.get_frequent_items(frequent_items_error_type.NO_FALSE_NEGATIVES, 0)
    estimates = {str(item): int(estimate) for item, estimate, _lower, _upper in rows}
    return estimates, max(0, profile.values - sum(estimates.values()))


def frequent_error_bound(profile: FeatureProfile) -> int:
    """The most any category's count in ``profile`` can be off (0 for exact counts)."""
    if profile.frequent is None:
        return 0
    sketch = _frequent_from_bytes(profile.frequent)
    return int(np.ceil(sketch.epsilon * sketch.total_weight))


# Building from arrays (one group; the collector's accumulator builds many at once).


def numeric_profile(
    values: NDArray[np.float64],
    settings: SketchSettings = DEFAULT_SETTINGS,
    edges: NDArray[np.float64] | None = None,
) -> FeatureProfile:
    """The profile of a numeric array; NaN and infinite values count as nulls."""
    finite = values[np.isfinite(values)]
    nulls = int(values.size - finite.size)
    if finite.size == 0:
        return FeatureProfile("numeric", int(values.size), nulls)
    mean = float(finite.mean())
    histogram = None
    if edges is not None:
        histogram = Histogram(edges_id(edges), tuple(int(c) for c in bin_counts(finite, edges)))
    return FeatureProfile(
        kind="numeric",
        count=int(values.size),
        nulls=nulls,
        minimum=float(finite.min()),
        maximum=float(finite.max()),
        mean=mean,
        m2=float(np.square(finite - mean).sum()),
        kll=kll_of(finite, settings.kll_k),
        histogram=histogram,
    )


def categorical_profile(
    counts: Mapping[str, int], nulls: int, settings: SketchSettings = DEFAULT_SETTINGS
) -> FeatureProfile:
    """The profile of category counts; past ``category_cap`` categories, a sketch."""
    total = int(sum(counts.values()))
    profile = FeatureProfile("categorical", total + nulls, nulls, categories=dict(counts))
    return _capped(profile, settings)


def _capped(profile: FeatureProfile, settings: SketchSettings) -> FeatureProfile:
    if profile.categories is None or len(profile.categories) <= settings.category_cap:
        return profile
    sketch = _frequent_of(profile.categories, settings.frequent_lg_max_k)
    return replace(profile, categories=None, frequent=bytes(sketch.serialize()))


# Merging.


def _merge_histograms(a: FeatureProfile, b: FeatureProfile) -> Histogram | None:
    """Histograms cover all of a profile's values: a side without values is neutral."""
    if a.values == 0 or b.values == 0:
        return b.histogram if a.values == 0 else a.histogram
    ha, hb = a.histogram, b.histogram
    if ha is None or hb is None or ha.edges_id != hb.edges_id:
        return None
    return Histogram(ha.edges_id, tuple(x + y for x, y in zip(ha.counts, hb.counts, strict=True)))


def _merge_numeric(a: FeatureProfile, b: FeatureProfile) -> FeatureProfile:
    na, nb = a.values, b.values
    histogram = _merge_histograms(a, b)
    if na == 0 or nb == 0:
        filled = b if na == 0 else a
        return replace(
            filled, count=a.count + b.count, nulls=a.nulls + b.nulls, histogram=histogram
        )
    n = na + nb
    delta = b.mean - a.mean
    assert a.minimum is not None and b.minimum is not None
    assert a.maximum is not None and b.maximum is not None
    return FeatureProfile(
        kind="numeric",
        count=a.count + b.count,
        nulls=a.nulls + b.nulls,
        minimum=min(a.minimum, b.minimum),
        maximum=max(a.maximum, b.maximum),
        mean=a.mean + delta * nb / n,
        m2=a.m2 + b.m2 + delta * delta * na * nb / n,
        kll=_merge_kll(a.kll, b.kll),
        histogram=histogram,
    )


def _merge_categorical(
    a: FeatureProfile, b: FeatureProfile, settings: SketchSettings
) -> FeatureProfile:
    count, nulls = a.count + b.count, a.nulls + b.nulls
    if a.categories is not None and b.categories is not None:
        merged = dict(a.categories)
        for item, value in b.categories.items():
            merged[item] = merged.get(item, 0) + value
        return _capped(FeatureProfile("categorical", count, nulls, categories=merged), settings)
    sketches = [
        _frequent_from_bytes(p.frequent)
        if p.frequent is not None
        else _frequent_of(p.categories or {}, settings.frequent_lg_max_k)
        for p in (a, b)
    ]
    sketches[0].merge(sketches[1])
    return FeatureProfile("categorical", count, nulls, frequent=bytes(sketches[0].serialize()))


def merge_profiles(
    a: FeatureProfile, b: FeatureProfile, settings: SketchSettings = DEFAULT_SETTINGS
) -> FeatureProfile:
    """The profile of the values of ``a`` and ``b`` together."""
    if a.kind != b.kind:
        raise ValueError(f"cannot merge a {a.kind} profile with a {b.kind} profile")
    if a.kind == "numeric":
        return _merge_numeric(a, b)
    return _merge_categorical(a, b, settings)


def merge_all(
    profiles: Iterable[FeatureProfile], settings: SketchSettings = DEFAULT_SETTINGS
) -> FeatureProfile | None:
    """All ``profiles`` merged into one (a window's, say); None when there are none."""
    merged: FeatureProfile | None = None
    for profile in profiles:
        merged = profile if merged is None else merge_profiles(merged, profile, settings)
    return merged


# Reservoirs.


@dataclass(frozen=True, slots=True)
class Reservoir:
    """A uniform sample of at most ``capacity`` of the ``seen`` rows of a model's window."""

    capacity: int
    seen: int
    rows: tuple[Mapping[str, Any], ...]


def merge_reservoirs(a: Reservoir, b: Reservoir, rng: np.random.Generator) -> Reservoir:
    """A uniform sample of the rows both reservoirs were drawn from.

    Each of the ``seen_a + seen_b`` rows must be in the result with the same probability:
    the number taken from ``a`` is hypergeometric (``size`` draws without replacement from
    ``seen_a`` rows of one colour and ``seen_b`` of the other), and that many are drawn
    uniformly from ``a``'s sample (itself uniform), the rest from ``b``'s.
    """
    capacity = min(a.capacity, b.capacity)
    seen = a.seen + b.seen
    size = min(capacity, seen)
    if a.seen == 0 or b.seen == 0:
        only = b if a.seen == 0 else a
        picked = rng.permutation(len(only.rows))[:size]
        return Reservoir(capacity, seen, tuple(only.rows[i] for i in sorted(picked)))
    from_a = int(rng.hypergeometric(a.seen, b.seen, size))
    take_a = rng.choice(len(a.rows), size=from_a, replace=False)
    take_b = rng.choice(len(b.rows), size=size - from_a, replace=False)
    rows = [a.rows[i] for i in sorted(take_a)] + [b.rows[i] for i in sorted(take_b)]
    return Reservoir(capacity, seen, tuple(rows))
