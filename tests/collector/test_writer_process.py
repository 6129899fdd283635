"""``collector.writer: process``: the spool's writer and the profiler in a child process.

The collector process keeps the spool; the writer process drains it into the store,
profiles what it stored, saves the checkpoint and reports back (commits, metrics). These
tests drive it through the real API on SQLite and PostgreSQL, kill the writer mid-load,
and check that it stops with the collector's shutdown.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from collector_harness import MODELS, ApiFactory, auth, prediction, process_alive
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select

from collector.config import CollectorConfig
from collector.ingestion import SpoolIngestion, open_ingestion
from collector.metrics import CollectorMetrics, RelayedWriterMetrics
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.spool import Spool
from collector.spool_files import Position, list_segments, load_checkpoint
from collector.validation import Limits, validate_predictions
from collector.writer_process import WriterPlan, WriterProcess
from store.profiles import window_profiles
from store.schema import predictions

STAMP = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def stored(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(select(predictions.c.request_id))]


@pytest.fixture
def apis(tmp_path: Path) -> Iterator[ApiFactory]:
    factory = ApiFactory(tmp_path / "spool")
    yield factory
    factory.close()


def test_the_writer_process_stores_profiles_and_reports_to_the_collectors_metrics(
    engine: Engine, apis: ApiFactory
) -> None:
    profiler = Profiler(engine, MODELS, ProfilesConfig(), wall_clock)
    api = apis(engine, "spool", writer="process", profiler=profiler, clock=wall_clock)
    for batch in range(3):
        events = [prediction(batch * 100 + i) for i in range(100)]
        response = api.client.post("/v1/predictions", json=events, headers=auth())
        assert response.status_code == 200, response.text
        assert response.json()["spooled"] == 100
    api.flush()
    assert sorted(stored(engine)) == sorted(
        f"r{i}" for b in range(3) for i in range(b * 100, b * 100 + 100)
    )
    # Counted by the writer process, shown on the collector's /metrics.
    assert api.metric("vigil_ingested_events_total", kind="predictions") == 300
    assert api.metric("vigil_store_write_seconds_count", kind="predictions") >= 1
    assert api.metric("vigil_spool_records") == 0
    assert api.metric("vigil_spool_bytes") == 0
    # A retried batch is accepted again, stored once, counted as duplicates.
    again = api.client.post(
        "/v1/predictions", json=[prediction(i) for i in range(50)], headers=auth()
    )
    assert again.status_code == 200
    api.flush()
    assert len(stored(engine)) == 300
    assert api.metric("vigil_duplicate_events_total", kind="predictions") == 50
    # The writer process profiled what it stored (all events are in the 08:00 minute),
    # each event once: the 50 re-sent ones were not stored again, nor profiled again.
    window = window_profiles(engine, "credit", STAMP, STAMP + timedelta(minutes=1))
    assert window["income"].count == 300
    assert window["income"].minimum == 0.0
    assert window["income"].maximum == 299.0


def test_a_killed_writer_process_is_replaced_and_nothing_is_lost_or_stored_twice(
    engine: Engine, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    spool = Spool(spool_dir, segment_bytes=64 * 1024)  # many segments: deletions happen
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)
    url = engine.url.render_as_string(hide_password=False)

    def plan(committed: Position) -> WriterPlan:
        return WriterPlan(url, str(spool_dir), committed, 200, 0.05, 1.0)

    processor = WriterProcess(spool, plan, metrics, wall_clock, restart_delay=0.1)
    sink = SpoolIngestion(
        spool, processor, metrics, wall_clock, max_spool_bytes=1 << 30, retry_after=1
    )
    sink.start()
    models = {m.name: m for m in MODELS}
    try:
        killed = None
        for batch in range(40):
            events = [prediction(batch * 50 + i) for i in range(50)]
            rows, errors = validate_predictions(events, models, wall_clock(), Limits())
            assert not errors
            sink.accept("predictions", rows)
            if batch == 20:
                deadline = time.monotonic() + 20
                while processor.pid() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                killed = processor.pid()
                assert killed is not None
                os.kill(killed, signal.SIGKILL)
        assert sink.force_flush(timeout=30), "the replacement writer did not drain the spool"
        assert killed is not None and not process_alive(killed)
        assert processor.restarts >= 1
        assert registry.get_sample_value("vigil_writer_restarts_total") >= 1
        ids = stored(engine)
        assert len(ids) == len(set(ids)) == 2000
        # Drained segments are deleted by the collector once the writer reports its commits.
        assert load_checkpoint(spool_dir) == spool.committed()
        assert all(n >= spool.committed().segment for n in list_segments(spool_dir))
    finally:
        assert sink.shutdown(timeout=10)
    assert processor.pid() is None


def test_shutdown_drains_then_stops_the_writer_process(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    config = CollectorConfig(spool_dir=str(tmp_path / "spool"), writer_delay_seconds=5.0)
    registry = CollectorRegistry()
    sink = open_ingestion(
        sqlite_engine,
        config,
        tmp_path / "spool",
        CollectorMetrics(registry),
        wall_clock,
        writer="process",
    )
    sink.start()
    rows, _ = validate_predictions(
        [prediction(i) for i in range(10)], {m.name: m for m in MODELS}, wall_clock(), Limits()
    )
    sink.accept("predictions", rows)
    started = time.monotonic()
    # The writer waits up to 5 s for a batch to fill; shutdown does not wait for that.
    assert sink.shutdown(timeout=10)
    assert time.monotonic() - started < 5
    assert len(stored(sqlite_engine)) == 10
    assert registry.get_sample_value("vigil_ingested_events_total", {"kind": "predictions"}) == 10


def test_relayed_writer_reports_apply_as_if_the_writer_ran_in_the_collector() -> None:
    here, there = CollectorMetrics(CollectorRegistry()), RelayedWriterMetrics()
    relayed = CollectorMetrics(CollectorRegistry())
    for metrics in (here, there):
        metrics.stored("predictions", 500, 480, 0.012)
        metrics.stored("labels", 10, 10, 0.003)
        metrics.store_failed()
        metrics.undecodable()
    relayed.replay(there.take())
    assert there.take() == []
    for family in (
        "ingested",
        "duplicates",
        "write_seconds",
        "writer_failures",
        "undecodable_records",
    ):
        ours = {
            (s.name, tuple(sorted(s.labels.items())), s.value)
            for m in getattr(here, family).collect()
            for s in m.samples
            if not s.name.endswith("_created")
        }
        theirs = {
            (s.name, tuple(sorted(s.labels.items())), s.value)
            for m in getattr(relayed, family).collect()
            for s in m.samples
            if not s.name.endswith("_created")
        }
        assert ours == theirs, family
        assert ours


def test_a_writer_that_cannot_start_is_retried_and_the_spool_keeps_every_record(
    tmp_path: Path,
) -> None:
    spool_dir = tmp_path / "spool"
    spool = Spool(spool_dir, segment_bytes=1 << 20)
    registry = CollectorRegistry()
    metrics = CollectorMetrics(registry)

    def plan(committed: Position) -> WriterPlan:  # a store the writer cannot open
        return WriterPlan("nosuchdialect://nowhere", str(spool_dir), committed, 100, 0.01, 1.0)

    processor = WriterProcess(spool, plan, metrics, wall_clock, restart_delay=0.05)
    sink = SpoolIngestion(
        spool, processor, metrics, wall_clock, max_spool_bytes=1 << 30, retry_after=1
    )
    sink.start()
    rows, _ = validate_predictions(
        [prediction(i) for i in range(10)], {m.name: m for m in MODELS}, wall_clock(), Limits()
    )
    assert sink.accept("predictions", rows).accepted == 10  # acknowledged: in the spool
    deadline = time.monotonic() + 30
    while processor.restarts < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processor.restarts >= 2, "the supervisor stopped restarting the writer"
    assert registry.get_sample_value("vigil_writer_restarts_total") >= 2
    assert not sink.force_flush(timeout=0.5)
    assert not sink.shutdown(timeout=1)  # not drained, and it says so
    reopened = Spool(spool_dir, segment_bytes=1 << 20)
    try:
        assert reopened.depth_records() == 1  # the batch waits for the next start
    finally:
        reopened.close()


def writer_process_sink(
    engine: Engine, tmp_path: Path, nice: int = 0
) -> tuple[WriterProcess, SpoolIngestion]:
    """A started spool sink whose writer process stores into ``engine`` (100-row batches)."""
    spool_dir = tmp_path / "spool"
    spool = Spool(spool_dir, segment_bytes=1 << 20)
    metrics = CollectorMetrics(CollectorRegistry())
    url = engine.url.render_as_string(hide_password=False)
    processor = WriterProcess(
        spool,
        lambda c: WriterPlan(url, str(spool_dir), c, 100, 0.01, 1.0, nice=nice),
        metrics,
        wall_clock,
    )
    sink = SpoolIngestion(
        spool, processor, metrics, wall_clock, max_spool_bytes=1 << 30, retry_after=1
    )
    sink.start()
    return processor, sink


def test_the_writer_process_leaves_sigterm_to_its_collector(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A service manager signals the whole group; the collector drains and stops the writer."""
    processor, sink = writer_process_sink(sqlite_engine, tmp_path)
    models = {m.name: m for m in MODELS}
    first, _ = validate_predictions(
        [prediction(i) for i in range(5)], models, wall_clock(), Limits()
    )
    later, _ = validate_predictions(
        [prediction(i) for i in range(5, 10)], models, wall_clock(), Limits()
    )
    try:
        sink.accept("predictions", first)
        assert sink.force_flush(timeout=20)  # the writer runs: its handlers are installed
        writer = processor.pid()
        assert writer is not None
        os.kill(writer, signal.SIGTERM)
        sink.accept("predictions", later)
        assert sink.force_flush(timeout=20)
        assert processor.pid() == writer and processor.restarts == 0
    finally:
        assert sink.shutdown(timeout=10)
    assert len(stored(sqlite_engine)) == 10


@pytest.mark.parametrize("nice", [0, 10])
def test_the_writer_process_runs_at_the_configured_lower_cpu_priority(
    sqlite_engine: Engine, tmp_path: Path, nice: int
) -> None:
    """``collector.writer_nice``: the writer yields the cores to the request path."""
    processor, sink = writer_process_sink(sqlite_engine, tmp_path, nice=nice)
    rows, _ = validate_predictions(
        [prediction(i) for i in range(5)], {m.name: m for m in MODELS}, wall_clock(), Limits()
    )
    try:
        sink.accept("predictions", rows)
        assert sink.force_flush(timeout=20)  # stored: the writer has set its priority
        writer = processor.pid()
        assert writer is not None
        assert os.getpriority(os.PRIO_PROCESS, writer) == os.getpriority(os.PRIO_PROCESS, 0) + nice
    finally:
        assert sink.shutdown(timeout=10)
    assert len(stored(sqlite_engine)) == 5


def test_writer_nice_is_checked_at_load() -> None:
    assert CollectorConfig().writer_nice == 10
    with pytest.raises(ValueError, match="writer_nice"):
        CollectorConfig.model_validate({"writer_nice": 20})
