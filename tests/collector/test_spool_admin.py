"""The operator's view of a spool: its status beside a running collector, and a drain."""

from __future__ import annotations

from pathlib import Path

from collector_harness import NOW
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.batches import Batch, encode
from collector.config import CollectorConfig
from collector.metrics import CollectorMetrics
from collector.spool import Spool
from collector.spool_admin import drain_spool, spool_status
from store.predictions import count_predictions


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
