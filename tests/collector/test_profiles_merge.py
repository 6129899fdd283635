"""Profiles merge in any order and grouping, and the batch builder equals the one-array one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.profiles.accumulator import profile_batch
from collector.profiles.categorical import grouped_categorical
from collector.profiles.numeric import grouped_numeric
from store.bin_edges import bin_counts, reference_bin_edges
from store.profile_records import (
    FeatureProfile,
    SketchSettings,
    categorical_profile,
    kll_from_bytes,
    merge_all,
    merge_profiles,
    numeric_profile,
)
from store.profiles import ProfileKey
from store.specs import FeatureSpec, ModelSpec

EDGES = reference_bin_edges(np.linspace(-50.0, 50.0, 101))
SMALL = SketchSettings(kll_k=200, category_cap=5, frequent_lg_max_k=6)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

values_st = st.lists(
    st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just(float("nan"))), max_size=40
)
labels_st = st.lists(st.one_of(st.sampled_from("abcd"), st.none()), max_size=40)


def numeric(values: list[float]) -> FeatureProfile:
    return numeric_profile(np.asarray(values, dtype=np.float64), SMALL, EDGES)


def categorical(labels: list[str | None]) -> FeatureProfile:
    counts: dict[str, int] = {}
    for label in labels:
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
    return categorical_profile(counts, labels.count(None), SMALL)


def assert_same_numeric(a: FeatureProfile, b: FeatureProfile) -> None:
    assert (a.count, a.nulls, a.minimum, a.maximum, a.histogram) == (
        b.count,
        b.nulls,
        b.minimum,
        b.maximum,
        b.histogram,
    )
    assert a.mean == pytest.approx(b.mean, rel=1e-9, abs=1e-9)
    assert a.m2 == pytest.approx(b.m2, rel=1e-7, abs=1e-6)
    if a.kll is None or b.kll is None:
        assert a.kll is b.kll is None
        return
    # Below k values a KLL sketch keeps every value: merged sketches hold the same values.
    ka, kb = kll_from_bytes(a.kll), kll_from_bytes(b.kll)
    assert sorted(x for x, _ in ka) == sorted(x for x, _ in kb)


@settings(max_examples=60, deadline=None)
@given(values_st, values_st, values_st)
def test_numeric_merge_is_associative_and_commutative_and_equals_the_whole(
    a: list[float], b: list[float], c: list[float]
) -> None:
    pa, pb, pc = numeric(a), numeric(b), numeric(c)
    left = merge_profiles(merge_profiles(pa, pb), pc)
    right = merge_profiles(pa, merge_profiles(pc, pb))
    whole = numeric(a + b + c)
    assert_same_numeric(left, right)
    assert_same_numeric(left, whole)


@settings(max_examples=60, deadline=None)
@given(labels_st, labels_st, labels_st)
def test_categorical_merge_is_associative_and_commutative(
    a: list[str | None], b: list[str | None], c: list[str | None]
) -> None:
    pa, pb, pc = categorical(a), categorical(b), categorical(c)
    left = merge_profiles(merge_profiles(pa, pb, SMALL), pc, SMALL)
    right = merge_profiles(pc, merge_profiles(pb, pa, SMALL), SMALL)
    assert left == right == categorical(a + b + c)


def test_variance_of_merged_minutes_equals_numpy_on_all_values() -> None:
    rng = np.random.default_rng(3)
    chunks = [rng.normal(1e6, 5.0, size=int(n)) for n in rng.integers(1, 500, size=40)]
    merged = merge_all(numeric_profile(chunk) for chunk in chunks)
    everything = np.concatenate(chunks)
    assert merged is not None
    assert merged.values == everything.size
    assert merged.mean == pytest.approx(everything.mean(), rel=1e-12)
    assert merged.variance == pytest.approx(everything.var(), rel=1e-9)


def test_histograms_on_different_edges_do_not_merge_and_an_empty_side_is_neutral() -> None:
    values = np.arange(10.0)
    other_edges = reference_bin_edges(np.arange(100.0))
    merged = merge_profiles(numeric_profile(values, edges=EDGES), numeric_profile(values))
    assert merged.histogram is None
    assert (
        merge_profiles(
            numeric_profile(values, edges=EDGES), numeric_profile(values, edges=other_edges)
        ).histogram
        is None
    )
    nulls_only = numeric_profile(np.array([np.nan, np.nan]))
    kept = merge_profiles(nulls_only, numeric_profile(values, edges=EDGES))
    assert kept.histogram is not None and sum(kept.histogram.counts) == 10
    assert (kept.count, kept.nulls) == (12, 2)


def test_mismatched_kinds_refuse_to_merge() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        merge_profiles(numeric([1.0]), categorical(["a"]))


def test_grouped_numeric_equals_one_profile_per_group() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(size=3000)
    values[rng.random(3000) < 0.1] = np.nan
    groups = rng.integers(0, 7, size=3000).astype(np.intp)
    built = grouped_numeric(values, groups, 8, SMALL, EDGES)  # group 7 has no rows
    for g in range(8):
        alone = numeric_profile(values[groups == g], SMALL, EDGES)
        if g == 7:
            assert built[g] == FeatureProfile("numeric", 0, 0)
            continue
        assert built[g].histogram == alone.histogram
        histogram = built[g].histogram
        assert histogram is not None
        assert sum(histogram.counts) == built[g].values
        assert (built[g].count, built[g].nulls) == (alone.count, alone.nulls)
        assert (built[g].minimum, built[g].maximum) == (alone.minimum, alone.maximum)
        assert built[g].mean == pytest.approx(alone.mean, abs=1e-12)
        assert built[g].m2 == pytest.approx(alone.m2, rel=1e-9)


def test_grouped_categorical_equals_one_profile_per_group() -> None:
    labels = ["a", "b", None, "a", "c", "b", None, "a"]
    groups = np.array([0, 0, 0, 1, 1, 1, 2, 2], dtype=np.intp)
    built = grouped_categorical(labels, groups, 3, SMALL)
    assert built[0] == categorical_profile({"a": 1, "b": 1}, 1, SMALL)
    assert built[1] == categorical_profile({"a": 1, "b": 1, "c": 1}, 0, SMALL)
    assert built[2] == categorical_profile({"a": 1}, 1, SMALL)


def test_a_batch_is_profiled_per_model_version_feature_and_minute() -> None:
    spec = ModelSpec(
        name="credit",
        features=(
            FeatureSpec(name="income", type="numeric"),
            FeatureSpec(name="purpose", type="categorical"),
            FeatureSpec(name="owner", type="boolean"),
            FeatureSpec(name="vec", type="embedding"),
        ),
    )
    rows = [
        {
            "model": "credit",
            "version": "v2" if i % 4 == 0 else "v1",
            "request_id": f"r{i}",
            "ts": T0 + timedelta(seconds=i),
            "features": {"income": float(i), "purpose": "car", "owner": i % 2 == 0},
        }
        for i in range(150)  # minutes 0, 1 and 2
    ]
    edges = {("credit", "income"): EDGES}
    out = profile_batch(rows, {"credit": spec}, edges, SMALL, np.random.default_rng(0))
    minutes = {key.minute for key in out.profiles}
    assert minutes == {T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)}
    assert {key.feature for key in out.profiles} == {"income", "purpose", "owner"}
    income = out.profiles[ProfileKey("credit", "v1", "income", T0 + timedelta(minutes=1))]
    expected = [float(i) for i in range(60, 120) if i % 4 != 0]
    assert income.count == len(expected) and income.nulls == 0
    assert income.mean == pytest.approx(np.mean(expected))
    assert income.histogram is not None
    assert list(income.histogram.counts) == bin_counts(np.asarray(expected), EDGES).tolist()
    owner = out.profiles[ProfileKey("credit", "v2", "owner", T0)]
    assert owner.categories == {"true": 15}
    assert sum(p.count for k, p in out.profiles.items() if k.feature == "purpose") == 150
    assert out.reservoirs == {}


@pytest.mark.parametrize(
    "null_at", [None, 17], ids=["every row carries every feature", "one row has a null"]
)
def test_rows_of_several_models_with_and_without_nulls_are_profiled_alike(
    null_at: int | None,
) -> None:
    two = ModelSpec(
        name="two",
        features=(
            FeatureSpec(name="a", type="numeric"),
            FeatureSpec(name="kind", type="categorical"),
            FeatureSpec(name="b", type="numeric"),
        ),
    )
    other = ModelSpec(name="other", features=(FeatureSpec(name="a", type="numeric"),))
    rows = [
        {
            "model": "two" if i % 3 else "other",
            "version": "v1",
            "request_id": f"r{i}",
            "ts": T0 + timedelta(seconds=i % 60),
            "features": {"a": float(i), "kind": "x", "b": None if i == null_at else float(-i)},
        }
        for i in range(300)
    ]
    models = {"two": two, "other": other}
    out = profile_batch(rows, models, {}, SMALL, np.random.default_rng(0), reservoir_size=10)
    b = [float(-i) for i in range(300) if i % 3 and i != null_at]
    profile = out.profiles[ProfileKey("two", "v1", "b", T0)]
    assert (profile.count, profile.nulls) == (200, 0 if null_at is None else 1)
    assert profile.mean == pytest.approx(np.mean(b))
    assert out.profiles[ProfileKey("other", "v1", "a", T0)].count == 100
    assert out.profiles[ProfileKey("two", "v1", "kind", T0)].categories == {"x": 200}
    assert out.profiles[ProfileKey("two", "v1", "a", T0)].maximum == 299.0
    assert {key[0] for key in out.reservoirs} == {"two", "other"}
    assert all(len(r.rows) == 10 for r in out.reservoirs.values())
    assert sum(r.seen for r in out.reservoirs.values()) == 300
