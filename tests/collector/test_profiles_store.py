"""Profiles in the store: upsert-merge on SQLite and PostgreSQL, also from concurrent writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import Engine, func, select

from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from store.bin_edges import bin_counts, reference_bin_edges
from store.db import create_store_engine
from store.predictions import prepare_predictions
from store.profile_records import Reservoir, categorical_profile, numeric_profile
from store.profiles import (
    ProfileKey,
    minute_profiles,
    read_reference_bins,
    upsert_profiles,
    upsert_reservoirs,
    window_profiles,
    window_reservoir,
    write_reference_bins,
)
from store.schema import feature_profiles
from store.specs import FeatureSpec, ModelSpec

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EDGES = reference_bin_edges(np.random.default_rng(0).normal(size=2000))
SPEC = ModelSpec(
    name="credit",
    features=(
        FeatureSpec(name="income", type="numeric"),
        FeatureSpec(name="purpose", type="categorical"),
    ),
)


def key(feature: str = "income", minute: int = 0, version: str = "v1") -> ProfileKey:
    return ProfileKey("credit", version, feature, T0 + timedelta(minutes=minute))


def test_writing_the_same_key_twice_merges_the_profiles(engine: Engine) -> None:
    a, b = np.arange(0.0, 50.0), np.arange(50.0, 80.0)
    upsert_profiles(engine, {key(): numeric_profile(a, edges=EDGES)}, T0)
    upsert_profiles(
        engine,
        {
            key(): numeric_profile(b, edges=EDGES),
            key("purpose"): categorical_profile({"car": 2}, 1),
            key(version="v2"): numeric_profile(b),
        },
        T0,
    )
    upsert_profiles(engine, {key("purpose"): categorical_profile({"car": 1, "home": 4}, 0)}, T0)
    stored = minute_profiles(engine, "credit", T0, T0 + timedelta(minutes=1))
    assert set(stored) == {key(), key("purpose"), key(version="v2")}
    income = stored[key()]
    both = np.concatenate([a, b])
    assert (income.count, income.nulls, income.minimum, income.maximum) == (80, 0, 0.0, 79.0)
    assert income.mean == pytest.approx(both.mean())
    assert income.variance == pytest.approx(both.var())
    assert income.histogram is not None
    assert list(income.histogram.counts) == bin_counts(both, EDGES).tolist()
    assert stored[key("purpose")].categories == {"car": 3, "home": 4}
    assert stored[key("purpose")].nulls == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(feature_profiles)).scalar() == 3


def test_a_window_merges_its_minutes_and_versions_and_leaves_out_the_rest(engine: Engine) -> None:
    parts = {
        key(minute=m, version=f"v{m % 2}"): numeric_profile(np.full(10, float(m))) for m in range(5)
    }
    upsert_profiles(engine, parts, T0)
    window = window_profiles(engine, "credit", T0 + timedelta(minutes=1), T0 + timedelta(minutes=4))
    assert window["income"].count == 30
    assert window["income"].mean == pytest.approx(2.0)
    only_v1 = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=5), version="v1")
    assert only_v1["income"].mean == pytest.approx(2.0)  # minutes 1 and 3
    assert only_v1["income"].count == 20


def test_reservoirs_merge_and_stay_within_their_capacity(engine: Engine) -> None:
    rng = np.random.default_rng(0)
    window = ("credit", T0)
    first = Reservoir(5, 30, tuple({"i": i} for i in range(5)))
    second = Reservoir(5, 10, tuple({"i": 100 + i} for i in range(5)))
    upsert_reservoirs(engine, {window: first}, T0, rng)
    upsert_reservoirs(engine, {window: second}, T0, rng)
    merged = window_reservoir(engine, "credit", T0, T0 + timedelta(hours=1), rng)
    assert merged is not None
    assert (merged.capacity, merged.seen, len(merged.rows)) == (5, 40, 5)
    assert {row["i"] for row in merged.rows} <= {*range(5), *range(100, 105)}


def test_reference_bins_are_replaced_by_a_refit(engine: Engine) -> None:
    write_reference_bins(engine, "credit", {"income": EDGES}, "ref-1.csv", T0)
    refit = reference_bin_edges(np.arange(100.0))
    write_reference_bins(engine, "credit", {"income": refit}, "ref-2.csv", T0)
    stored = read_reference_bins(engine, ["credit"])
    assert list(stored) == [("credit", "income")]
    np.testing.assert_array_equal(stored[("credit", "income")], refit)
    assert read_reference_bins(engine, ["other"]) == {}


def rows(first: int, count: int) -> list[dict]:
    return [
        {
            "model": "credit",
            "version": "v1",
            "request_id": f"r{i}",
            "ts": T0 + timedelta(seconds=(i % 60)),
            "features": {"income": float(i % 997), "purpose": f"p{i % 3}"},
            "prediction": 0,
            "score": 0.5,
            "received_at": T0,
        }
        for i in range(first, first + count)
    ]


def test_two_collectors_writing_the_same_minute_at_once_merge(engine: Engine) -> None:
    """Two writers (each its own rows) store and profile the same minute concurrently."""
    write_reference_bins(engine, "credit", {"income": EDGES}, "ref.csv", T0)
    url = engine.url.render_as_string(hide_password=False)
    engines = [create_store_engine(url) for _ in range(2)]
    config = ProfilesConfig(reservoir_size=50, seed=1)
    profilers = [Profiler(e, [SPEC], config, lambda: T0) for e in engines]
    errors: list[BaseException] = []

    def collector(index: int) -> None:
        try:
            for batch in range(10):
                first = (index * 10 + batch) * 200
                profilers[index].store_predictions(prepare_predictions(rows(first, 200)))
            profilers[index].flush()  # the reservoir sampled in memory goes to the store
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=collector, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for e in engines:
        e.dispose()
    assert not errors
    assert [p.failures for p in profilers] == [0, 0]
    everything = rows(0, 4000)
    income = np.array([r["features"]["income"] for r in everything])
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=1))
    assert window["income"].count == 4000
    assert window["income"].mean == pytest.approx(income.mean())
    assert window["income"].variance == pytest.approx(income.var())
    assert window["income"].histogram is not None
    assert list(window["income"].histogram.counts) == bin_counts(income, EDGES).tolist()
    assert window["purpose"].categories == {"p0": 1334, "p1": 1333, "p2": 1333}
    reservoir = window_reservoir(
        engine, "credit", T0, T0 + timedelta(hours=1), np.random.default_rng(0)
    )
    assert reservoir is not None and reservoir.seen == 4000 and len(reservoir.rows) == 50


def test_migration_0008_creates_exactly_what_the_schema_declares(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.schema import metadata

    mine = {"feature_profiles", "profile_reservoirs", "reference_bins"}
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if mine & {str(x) for x in _names(d)}] == []


def _names(entry: object) -> set[str]:
    """Every table name a compare_metadata entry mentions."""
    found: set[str] = set()
    stack = [entry]
    while stack:
        part = stack.pop()
        if isinstance(part, list | tuple):
            stack.extend(part)
        elif hasattr(part, "table") and hasattr(part.table, "name"):
            found.add(part.table.name)
        elif hasattr(part, "name") and hasattr(part, "columns"):
            found.add(part.name)
        elif isinstance(part, str):
            found.add(part)
    return found
