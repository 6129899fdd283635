"""The replay loop: events in at their times, the jobs of ``vigil serve`` at every step.

At each clock step ``T`` (``start``, ``start + step``, ...) the store holds exactly the
events with ``ts < T`` (labels included: a label counts from when it arrived), and every job
of :func:`vigil.jobs.build_jobs` that is due at ``T`` runs with ``now = T``: detectors and
SLOs write signals, rules raise alerts, the router groups them, the dispatcher "sends"
(records) notifications, incidents and actions follow. Nothing here reads the wall clock
except to time itself (``ReplayResult.seconds``, kept out of the timeline).
"""

from __future__ import annotations

import gc
import itertools
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy import event as sqlalchemy_event

from alerting.action_webhook import ActionSender
from alerting.receivers import BuildContext
from collector.ingestion import open_ingestion
from collector.metrics import CollectorMetrics
from collector.profiles.profiler import Profiler
from store.db import create_store_engine, upgrade
from store.durations import align, format_duration
from store.predictions import register_models
from vigil.config import VigilConfig
from vigil.jobs import build_jobs
from vigil.replay import timeline as tl
from vigil.replay.clock import SimulatedScheduler
from vigil.replay.events import ReadReport, event_files, read_events
from vigil.replay.guards import GuardLog
from vigil.replay.ordering import OrderReport, reorder
from vigil.replay.progress import progress_bar
from vigil.replay.recording import Recorder
from vigil.replay.sink import EventSink, SinkReport

#: Events buffered between two steps before they are stored anyway (bounds memory).
FLUSH_EVERY = 20_000
#: Allocations between two young-generation garbage collections during a replay (Python's
#: default is 700). Each event is a few dozen objects, most alive until its step is stored,
#: so the default collects (and promotes) them over and over: ~15% of a replay's CPU.
GC_THRESHOLD = (50_000, 20, 100)


@dataclass(frozen=True)
class ReplayOptions:
    """What ``vigil replay`` was asked to do."""

    events: Path
    start: datetime | None = None
    end: datetime | None = None
    step: timedelta = timedelta(seconds=60)
    live: bool = False
    store_url: str | None = None
    reorder_window: timedelta = timedelta(minutes=5)
    seed: int = 0
    progress: bool = True


@dataclass
class ReplayResult:
    """The timeline (reproducible) and where the time went (not reproducible)."""

    timeline: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)


class _SimClock:
    """The replay's ``now``, read by the recorder and the receivers' signing clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def _store(url: str | None) -> Iterator[Engine]:
    """The given store, or a throwaway SQLite file deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="vigil-replay-") as folder:
        engine = create_store_engine(url or f"sqlite:///{Path(folder) / 'replay.db'}")
        if url is None:  # deleted afterwards: a crash loses nothing worth an fsync
            sqlalchemy_event.listen(engine, "connect", _no_sync)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def _no_sync(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB: the hot pages of a day of rows
    cursor.close()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often for the replay's duration (see ``GC_THRESHOLD``)."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def replay(config: VigilConfig, options: ReplayOptions) -> ReplayResult:
    """Replay ``options.events`` through the loop ``config`` describes; return the timeline."""
    if options.step <= timedelta(0):
        raise ValueError("--step must be positive")
    with _fewer_collections():
        return _replay(config, options)


def _replay(config: VigilConfig, options: ReplayOptions) -> ReplayResult:
    started = time.perf_counter()
    read, order, sunk = ReadReport(), OrderReport(options.reorder_window), SinkReport()
    stream = reorder(read_events(event_files(options.events), read), options.reorder_window, order)
    first = next(stream, None)
    origin = options.start or (first.ts if first is not None else None)
    if origin is None:
        raise ValueError("the events file holds no event and no --start was given")
    start = align(origin, options.step) if options.start is None else options.start
    clock = _SimClock(start)
    recorder = Recorder(clock, live=options.live)
    seconds: dict[str, float] = {"ingest": 0.0}
    with (
        tempfile.TemporaryDirectory(prefix="vigil-replay-spool-") as spool,
        _store(options.store_url) as engine,
    ):
        register_models(engine, [(m.name, m.task) for m in config.models], start)
        registry = CollectorRegistry()
        collector = config.collector.model_copy(update={"durability": "direct"})
        # Profiles as the writer keeps them, on simulated time, so what the detectors read
        # back does not depend on how fast the replay ran. Profiles are stored with every
        # batch. No job reads the row reservoirs yet (DESIGN.md plans them for exact tests
        # and multivariate detectors; tests/vigil/test_replay_speedups.py fails when one
        # does, and it must then be flushed before that job runs): they stay in memory, one
        # per reservoir window, and are stored once, after the last step.
        profiler = Profiler(
            engine,
            config.models,
            collector.profiles,
            clock,
            timer=lambda: clock.now.timestamp(),
            reservoir_flush=float("inf"),
        )
        ingestion = open_ingestion(
            engine, collector, Path(spool), CollectorMetrics(registry), clock, profiler
        )
        sink = EventSink(config.models, collector, ingestion, sunk)
        context = BuildContext(resolve_path=config.resolve_path, clock=clock, wrap=recorder.wrap)
        if options.live:  # real deliveries are signed with the wall clock (receivers check it)
            context = BuildContext(resolve_path=config.resolve_path, wrap=recorder.wrap)
        jobs = build_jobs(
            config,
            engine,
            registry,
            build_context=context,
            action_sender=None if options.live else ActionSender(recorder.action_transport()),
            rng=random.Random(options.seed),
            owner="vigil-replay",
        )
        guards = GuardLog(engine, config.alerting.actions)
        jobs = [guards.wrap(j) if j.name == "alerting.actions" else j for j in jobs]
        scheduler = SimulatedScheduler(jobs)
        total = None  # unknown until the last event is read, unless --end says
        if options.end is not None:
            total = int((options.end - start) / options.step) + 1
        bar = progress_bar(total, "replay", "steps", enabled=options.progress)
        steps, after_end, last_ts = 0, 0, None
        now = start

        def flush() -> None:
            moment = time.perf_counter()
            sink.flush()
            seconds["ingest"] += time.perf_counter() - moment

        def flush_profiles() -> None:
            moment = time.perf_counter()
            profiler.flush()
            seconds["profiles"] = seconds.get("profiles", 0.0) + time.perf_counter() - moment

        def tick(at: datetime) -> None:
            nonlocal steps
            flush()
            clock.now = at
            scheduler.advance_to(at)
            steps += 1
            bar.update(1)

        events = stream if first is None else itertools.chain((first,), stream)
        end, add = options.end, sink.add  # the per-event loop: keep it lean
        for event in events:
            ts = event.ts
            if end is not None and ts >= end:
                after_end += 1
                continue
            while ts >= now:
                tick(now)
                now += options.step
            add(event)
            if last_ts is None or ts > last_ts:
                last_ts = ts
            if sink.buffered >= FLUSH_EVERY:
                flush()
        final = options.end if options.end is not None else now
        while now <= final:
            tick(now)
            now += options.step
        flush_profiles()
        bar.close()
        seconds.update({f"job:{k}": v for k, v in scheduler.seconds.items()})
        moment = time.perf_counter()
        document = _timeline(engine, recorder, guards, options, start, now - options.step)
        document["input"] = {
            **read.as_dict(),
            **order.as_dict(),
            **sunk.as_dict(),
            "after_end": after_end,
            "last_event_at": last_ts.isoformat() if last_ts is not None else None,
        }
        document["replay"]["steps"] = steps
        seconds["timeline"] = time.perf_counter() - moment
    seconds["total"] = time.perf_counter() - started
    seconds["read_and_order"] = max(
        0.0, seconds["total"] - sum(v for k, v in seconds.items() if k != "total")
    )
    return ReplayResult(document, seconds)


def _timeline(
    engine: Engine,
    recorder: Recorder,
    guards: GuardLog,
    options: ReplayOptions,
    start: datetime,
    last_step: datetime,
) -> dict[str, Any]:
    alerts = tl.alerts_section(engine)
    incidents = tl.incidents_section(engine)
    actions = tl.actions_section(engine, guards.decisions, recorder.action_requests)
    notifications = recorder.notifications
    return {
        "version": "vigil/replay/v1",
        "replay": {
            "start": start.isoformat(),
            "last_step": last_step.isoformat(),
            "step": format_duration(options.step),
            "live": options.live,
        },
        "summary": tl.summary(alerts, notifications, incidents, actions["actions"]),
        "alerts": alerts,
        "notifications": notifications,
        "incidents": incidents,
        "actions": actions,
    }
