"""The writer stores predictions with their profiles: every row that went in is profiled
once (a replayed batch or a re-sent event is not counted again), in the transaction that
stores it; a profiling failure costs nothing else."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection, Engine

from collector.batches import Batch, encode
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.profiles import profiler as profiler_module
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.spool import Spool
from collector.writer import BatchProcessor
from store.errors import StoreUnavailable
from store.predictions import count_predictions, prepare_predictions
from store.profiles import upsert_profiles_in, window_profiles, window_reservoir
from store.specs import FeatureSpec, ModelSpec

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RNG = np.random.default_rng(0)
SPEC = ModelSpec(name="credit", features=(FeatureSpec(name="income", type="numeric"),))


def rows(first: int, count: int) -> list[dict]:
    return [
        {
            "model": "credit",
            "version": "v1",
            "request_id": f"r{i}",
            "ts": T0 + timedelta(seconds=i % 120),
            "features": {"income": float(i)},
            "received_at": T0,
        }
        for i in range(first, first + count)
    ]


def drain(engine: Engine, spool_dir: Path, profiler: Profiler | None, fill: bool = True) -> None:
    spool = Spool(spool_dir, 1 << 20)
    if fill:
        for first in range(0, 1000, 100):
            spool.append(encode(Batch("predictions", rows(first, 100), T0)))
    metrics = CollectorMetrics(CollectorRegistry())
    exporter = StoreExporter(engine, metrics, profiler=profiler)
    processor = BatchProcessor(spool, exporter, metrics, lambda: T0, delay=0)
    processor.start()
    assert processor.force_flush(timeout=30)
    processor.shutdown(timeout=5)


def test_each_batch_the_writer_stores_is_profiled(engine: Engine, tmp_path: Path) -> None:
    profiler = Profiler(engine, [SPEC], ProfilesConfig(), lambda: T0)
    drain(engine, tmp_path / "spool", profiler)
    assert count_predictions(engine) == 1000
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))
    assert window["income"].count == 1000
    assert window["income"].mean == pytest.approx(np.arange(1000.0).mean())
    first_minute = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=1))
    assert first_minute["income"].count == sum(i % 120 < 60 for i in range(1000))
    assert profiler.failures == 0


def test_a_failing_profiler_does_not_stop_the_writer(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(conn: Connection, *args: Any) -> int:
        upsert_profiles_in(conn, *args)  # written, then a failure: rolled back to the savepoint
        raise ValueError("a sketch that does not merge")

    monkeypatch.setattr(profiler_module, "upsert_profiles_in", half_written)
    profiler = Profiler(engine, [SPEC], ProfilesConfig(), lambda: T0)
    drain(engine, tmp_path / "spool", profiler)
    assert count_predictions(engine) == 1000  # every row stored
    assert profiler.failures > 0  # and each failed profile counted, not raised
    assert window_profiles(engine, "credit", T0, T0 + timedelta(hours=1)) == {}


def test_a_batch_replayed_after_a_crash_is_profiled_once(engine: Engine, tmp_path: Path) -> None:
    profiler = Profiler(engine, [SPEC], ProfilesConfig(), lambda: T0)
    drain(engine, tmp_path / "spool", profiler)
    # A crash after the store committed but before the spool's checkpoint: the next
    # writer starts from the spool's beginning and stores every batch again.
    (tmp_path / "spool" / "checkpoint.json").unlink()
    restarted = Profiler(engine, [SPEC], ProfilesConfig(), lambda: T0)
    drain(engine, tmp_path / "spool", restarted, fill=False)
    assert count_predictions(engine) == 1000
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))
    assert window["income"].count == 1000
    assert restarted.failures == 0


def test_re_sent_events_are_profiled_once_and_the_sample_sees_them_once(engine: Engine) -> None:
    profiler = Profiler(engine, [SPEC], ProfilesConfig(reservoir_size=5000), lambda: T0)
    batch = prepare_predictions(rows(0, 300))
    assert profiler.store_predictions(batch) == 300
    assert profiler.store_predictions(batch[100:] + prepare_predictions(rows(300, 10))) == 10
    profiler.flush()
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))
    assert window["income"].count == 310
    sample = window_reservoir(engine, "credit", T0, T0 + timedelta(hours=1), RNG)
    assert sample.seen == 310
    assert sorted(r["request_id"] for r in sample.rows) == sorted(f"r{i}" for i in range(310))


def test_a_batch_whose_transaction_fails_leaves_no_profile_and_no_sample(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiler = Profiler(engine, [SPEC], ProfilesConfig(reservoir_size=5000), lambda: T0)
    real = profiler_module.upsert_profiles_in

    def then_the_store_fails(conn: Connection, *args: Any) -> int:
        real(conn, *args)
        conn.invalidate()  # the connection is lost before the commit
        return 0

    monkeypatch.setattr(profiler_module, "upsert_profiles_in", then_the_store_fails)
    with pytest.raises(StoreUnavailable):
        profiler.store_predictions(prepare_predictions(rows(0, 100)))
    monkeypatch.setattr(profiler_module, "upsert_profiles_in", real)
    assert profiler.store_predictions(prepare_predictions(rows(0, 100))) == 100  # the retry
    profiler.flush()
    assert window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))["income"].count == 100
    assert window_reservoir(engine, "credit", T0, T0 + timedelta(hours=1), RNG).seen == 100


def test_profiling_can_be_switched_off(engine: Engine, tmp_path: Path) -> None:
    profiler = Profiler(engine, [SPEC], ProfilesConfig(enabled=False), lambda: T0)
    drain(engine, tmp_path / "spool", profiler)
    assert window_profiles(engine, "credit", T0, T0 + timedelta(hours=1)) == {}


def test_direct_durability_profiles_each_committed_batch(engine: Engine) -> None:
    from collector.ingestion import DirectIngestion

    metrics = CollectorMetrics(CollectorRegistry())
    profiler = Profiler(engine, [SPEC], ProfilesConfig(), lambda: T0)
    sink = DirectIngestion(engine, metrics, profiler=profiler)
    sink.accept("predictions", rows(0, 300))
    sink.accept("labels", [])  # other kinds are not profiled
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))
    assert window["income"].count == 300
    assert window["income"].maximum == 299.0


def test_request_threads_sharing_one_profiler_count_every_row_once(engine: Engine) -> None:
    """The direct sink's request threads store through one profiler at the same time."""
    profiler = Profiler(engine, [SPEC], ProfilesConfig(reservoir_size=100), lambda: T0)
    errors: list[BaseException] = []

    def requests(thread: int) -> None:
        try:
            for batch in range(8):
                first = (thread * 8 + batch) * 50
                assert profiler.store_predictions(prepare_predictions(rows(first, 50))) == 50
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=requests, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    profiler.flush()
    window = window_profiles(engine, "credit", T0, T0 + timedelta(minutes=2))
    assert window["income"].count == 1600
    assert window["income"].mean == pytest.approx(np.arange(1600.0).mean())
    sample = window_reservoir(engine, "credit", T0, T0 + timedelta(hours=1), RNG)
    assert sample is not None and sample.seen == 1600 and len(sample.rows) == 100
    assert profiler.failures == 0
