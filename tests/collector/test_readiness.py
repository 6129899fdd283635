"""``/readyz`` and the spool's metrics, through the composed app of ``vigil serve``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from collector_harness import KEYS, MODELS, NOW, ApiFactory, auth, prediction
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.config import CollectorConfig
from collector.ingestion import Ingestion, open_ingestion
from collector.metrics import CollectorMetrics
from vigil.app import build_app
from vigil.config import VigilConfig


class SteppedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def serve_app(engine: Engine, spool_dir: Path) -> tuple[TestClient, Ingestion]:
    collector = CollectorConfig(api_keys=KEYS, spool_dir=str(spool_dir))
    config = VigilConfig(collector=collector, models=MODELS)
    registry = CollectorRegistry()
    sink = open_ingestion(engine, collector, spool_dir, CollectorMetrics(registry), lambda: NOW)
    sink.start()
    return TestClient(build_app(config, engine, registry, lambda: NOW, sink)), sink


def test_ready_when_the_store_answers_and_the_spool_is_writable(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client, sink = serve_app(sqlite_engine, tmp_path / "spool")
    try:
        response = client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["collector"]["spool_writable"] is True
        shutil.rmtree(tmp_path / "spool")
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["collector"]["spool_writable"] is False
    finally:
        sink.shutdown(timeout=5)


def test_not_ready_while_the_store_is_unreachable(
    unreachable_store: tuple[Engine, Callable[[], None]], tmp_path: Path
) -> None:
    engine, repair = unreachable_store
    client, sink = serve_app(engine, tmp_path / "spool")
    try:
        down = client.get("/readyz")
        assert down.status_code == 503 and down.json()["store"] == "OperationalError"
        repair()
        assert client.get("/readyz").status_code == 200
    finally:
        sink.shutdown(timeout=5)


def test_metrics_expose_spool_depth_fsync_time_writer_lag_and_batch_latency(
    unreachable_store: tuple[Engine, Callable[[], None]], make_api: ApiFactory
) -> None:
    engine, repair = unreachable_store
    clock = SteppedClock(NOW)
    api = make_api(engine, "spool", clock=clock, writer_retry_max_seconds=0.2)
    response = api.client.post(
        "/v1/predictions", json=[prediction(i) for i in range(3)], headers=auth()
    )
    assert response.status_code == 200
    # The acknowledgement waited for one spool fsync, timed on the wall clock.
    assert api.metric("vigil_spool_fsync_seconds_count") == 1
    assert 0 < api.metric("vigil_spool_fsync_seconds_sum") < 10
    clock.now = NOW + timedelta(seconds=30)
    assert api.metric("vigil_spool_records") == 1
    assert api.metric("vigil_spool_bytes") > 0
    assert api.metric("vigil_writer_lag_seconds") == 30

    repair()
    api.flush()
    assert api.metric("vigil_spool_records") == api.metric("vigil_spool_bytes") == 0
    assert api.metric("vigil_writer_lag_seconds") == 0
    assert api.metric("vigil_store_write_seconds_count", kind="predictions") == 1
