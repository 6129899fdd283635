"""``vigil serve``: the API, the scheduler and the alert dispatcher in one process.

This is one of the two places that read the wall clock (the other is the scheduler it
starts); everything below receives ``now`` as a parameter.
"""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime

from opentelemetry import trace
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from collector.gc_policy import settle_heap
from collector.ingestion import Ingestion, open_ingestion
from collector.metrics import CollectorMetrics
from collector.profiles.profiler import Profiler
from store.db import create_store_engine, upgrade
from store.job_lock import guarded_jobs
from store.predictions import register_models
from store.scheduling import ScheduledJob
from vigil.config import VigilConfig
from vigil.jobs import build_jobs
from vigil.telemetry import setup_telemetry

log = logging.getLogger(__name__)
#: A no-op until ``telemetry`` is configured (see :mod:`vigil.telemetry`).
_tracer = trace.get_tracer(__name__)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def open_store(config: VigilConfig) -> Engine:
    """Open the configured database, migrate it, and register the configured models."""
    engine = create_store_engine(config.storage.url, echo=config.storage.echo)
    upgrade(engine)
    register_models(engine, [(m.name, m.task) for m in config.models], wall_clock())
    return engine


def open_collector(
    config: VigilConfig,
    engine: Engine,
    registry: CollectorRegistry,
    clock: Callable[[], datetime],
    profiler: Profiler | None = None,
) -> Ingestion:
    """The collector's sink as ``collector.durability`` asks: the spool (default) or direct.

    Each batch stored is also profiled, by ``profiler`` or a new one; with
    ``collector.writer: process`` the writer and its profiler run in a child process,
    which installs the same ``telemetry`` first.
    """
    return open_ingestion(
        engine,
        config.collector,
        config.resolve_path(config.collector.spool_dir),
        CollectorMetrics(registry),
        clock,
        profiler=profiler or Profiler(engine, config.models, config.collector.profiles, clock),
        writer=config.collector.writer,
        process_setup=(
            functools.partial(setup_telemetry, config.telemetry) if config.telemetry else None
        ),
    )


def _tick(job: ScheduledJob) -> None:
    """Run one tick of ``job`` at the wall-clock time; a failing tick is logged, not fatal."""
    try:
        with _tracer.start_as_current_span(
            "vigil.job.run",
            attributes={
                "vigil.job.name": job.name,
                "vigil.job.interval_s": job.interval.total_seconds(),
            },
        ):
            job.run(wall_clock())
    except Exception:
        log.exception("job %s failed; it will run again at its next interval", job.name)


def start_scheduler(jobs: list[ScheduledJob]):  # type: ignore[no-untyped-def]
    """Register every job with an APScheduler background scheduler and start it."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            _tick,
            IntervalTrigger(seconds=job.interval.total_seconds(), timezone=UTC),
            args=[job],
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            next_run_time=wall_clock(),
        )
    scheduler.start()
    return scheduler


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(config: VigilConfig) -> None:
    """Run until interrupted."""
    import uvicorn

    from vigil.app import build_app

    telemetry = setup_telemetry(config.telemetry)  # before anything makes a span
    engine = open_store(config)
    registry = CollectorRegistry()
    profiler = Profiler(engine, config.models, config.collector.profiles, wall_clock)
    ingestion = open_collector(config, engine, registry, wall_clock, profiler)
    ingestion.start()  # replays whatever an earlier run left in the spool
    app = build_app(config, engine, registry, wall_clock, ingestion=ingestion)
    jobs = build_jobs(config, engine, registry)
    # Each tick runs under its job's advisory lock: replicas on one PostgreSQL run it once.
    scheduler = start_scheduler(guarded_jobs(engine, jobs))
    log.info(
        "vigil serving on http://%s:%d with %d scheduled jobs: %s",
        config.collector.host,
        config.collector.port,
        len(jobs),
        ", ".join(j.name for j in jobs),
    )
    # What is loaded by now lives as long as the process: frozen, and young objects are
    # collected less often (collector.gc_policy).
    settle_heap()
    # Uvicorn shuts down gracefully on SIGTERM, then re-raises the signal; exiting through
    # SystemExit lets the writer drain and the scheduler stop instead of dying mid-flight.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(app, host=config.collector.host, port=config.collector.port, log_level="info")
    finally:
        scheduler.shutdown(wait=False)
        ingestion.shutdown(timeout=10)  # what is not stored by then stays spooled for next start
        profiler.flush()  # the raw-row samples taken since the last periodic flush
        engine.dispose()
        if telemetry is not None:
            telemetry.shutdown()  # exports the spans still queued
