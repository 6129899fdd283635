"""The operator's view of a spool: its status beside a running collector, and a drain."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from collector_harness import MODELS, NOW
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.batches import Batch, encode
from collector.config import CollectorConfig
from collector.metrics import CollectorMetrics
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.spool import Spool
from collector.spool_admin import drain_spool, spool_status
from store.db import create_store_engine
from store.predictions import count_predictions
from store.profiles import window_profiles, window_reservoir
from vigil.cli import main


def spooled_rows(first: int, count: int) -> list[dict]:
    return [
        {
            "model": "credit",
            "version": "v1",
            "request_id": f"r{i}",
            "ts": NOW,
            "features": {"income": 1.0},
            "received_at": NOW,
        }
        for i in range(first, first + count)
    ]


def test_status_counts_what_waits_even_while_a_collector_holds_the_spool(
    tmp_path: Path,
) -> None:
    assert spool_status(tmp_path / "absent").pending_records == 0
    spool = Spool(tmp_path, segment_bytes=1 << 20)
    spool.commit(spool.append(encode(Batch("predictions", spooled_rows(0, 2), NOW))), 1)
    spool.append(encode(Batch("predictions", spooled_rows(2, 3), NOW)))
    status = spool_status(tmp_path)
    assert status.pending_records == 1
    assert status.pending_bytes == spool.depth_bytes() > 0
    spool.close()


def test_drain_stores_a_spool_left_behind_without_serving(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool", segment_bytes=1 << 20)
    spool.append(encode(Batch("predictions", spooled_rows(0, 7), NOW)))
    spool.close()
    config = CollectorConfig(durability="direct")
    metrics = CollectorMetrics(CollectorRegistry())
    assert drain_spool(sqlite_engine, config, tmp_path / "spool", metrics, lambda: NOW, 10)
    assert count_predictions(sqlite_engine) == 7
    assert spool_status(tmp_path / "spool").pending_records == 0


def test_drain_stores_predictions_with_their_profiles_as_the_writer_does(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    spool = Spool(tmp_path / "spool", segment_bytes=1 << 20)
    spool.append(encode(Batch("predictions", spooled_rows(0, 7), NOW)))
    spool.append(encode(Batch("predictions", spooled_rows(3, 7), NOW)))  # r3..r6 again
    spool.close()
    metrics = CollectorMetrics(CollectorRegistry())
    profiler = Profiler(sqlite_engine, MODELS, ProfilesConfig(), lambda: NOW)
    config = CollectorConfig(durability="direct")
    spool_dir = tmp_path / "spool"
    assert drain_spool(sqlite_engine, config, spool_dir, metrics, lambda: NOW, 10, profiler)
    assert count_predictions(sqlite_engine) == 10
    minute = NOW.replace(second=0, microsecond=0)
    window = window_profiles(sqlite_engine, "credit", minute, minute + timedelta(minutes=1))
    assert window["income"].count == 10
    sample = window_reservoir(
        sqlite_engine, "credit", minute, minute + timedelta(hours=1), np.random.default_rng(0)
    )
    assert sample is not None and sample.seen == 10  # flushed at the end of the drain


def test_vigil_spool_status_and_drain_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spool = Spool(tmp_path / "spool", segment_bytes=1 << 20)
    spool.append(encode(Batch("predictions", spooled_rows(0, 5), NOW)))
    spool.close()
    config = tmp_path / "vigil.yaml"
    config.write_text(
        "version: vigil/v1\n"
        f'storage: {{url: "sqlite:///{tmp_path / "vigil.db"}"}}\n'
        "collector: {spool_dir: spool}\n"
        "models:\n"
        "  - name: credit\n"
        "    features:\n"
        "      - {name: income, type: numeric}\n",
        encoding="utf-8",
    )
    assert main(["spool", "status", "--config", str(config)]) == 0
    assert "1 records" in capsys.readouterr().out
    assert main(["spool", "drain", "--config", str(config)]) == 0
    assert "drained" in capsys.readouterr().out
    engine = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    try:
        assert count_predictions(engine) == 5
        minute = NOW.replace(second=0, microsecond=0)
        profiles = window_profiles(engine, "credit", minute, minute + timedelta(minutes=1))
        assert profiles["income"].count == 5  # stored with their profiles, as served
    finally:
        engine.dispose()
