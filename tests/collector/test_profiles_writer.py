"""The writer's hook: every batch it stores is also profiled; a profiling failure costs nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.batches import Batch, encode
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.spool import Spool
from collector.writer import BatchProcessor
from store.predictions import count_predictions
from store.profiles import window_profiles
from store.specs import FeatureSpec, ModelSpec

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
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


def drain(engine: Engine, spool_dir: Path, profiler: Callable | None) -> None:
    spool = Spool(spool_dir, 1 << 20)
    for first in range(0, 1000, 100):
        spool.append(encode(Batch("predictions", rows(first, 100), T0)))
    metrics = CollectorMetrics(CollectorRegistry())
    processor = BatchProcessor(
        spool, StoreExporter(engine, metrics), metrics, lambda: T0, delay=0, profiler=profiler
    )
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
    engine: Engine, tmp_path: Path, unreachable_store: tuple[Engine, Callable[[], None]]
) -> None:
    broken, _repair = unreachable_store
    profiler = Profiler(broken, [SPEC], ProfilesConfig(), lambda: T0)
    drain(engine, tmp_path / "spool", profiler)
    assert count_predictions(engine) == 1000  # every row stored
    assert profiler.failures > 0  # and each failed profile counted, not raised


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
