"""Freshness SLOs on a real store (SQLite and PostgreSQL): the runs read, the job's signals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from slo.config import SLISpec, SLOSpec
from slo.freshness import count_freshness_windows
from slo.jobs import slo_job
from slo.metrics import EVENTS, GOOD_EVENTS, SLOMetrics
from store.freshness import FreshnessHistory, freshness_history
from store.pipeline_runs import upsert_pipeline_runs
from store.signals import latest_signals

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
PIPELINE = "credit-features-daily"
FRESH = SLOSpec(
    name="credit-features-fresh",
    model="credit",
    sli=SLISpec(kind="freshness", pipeline=PIPELINE, max_age=timedelta(hours=26)),
    objective=99,
)


def _run(
    run_id: str,
    started: datetime,
    status: str = "success",
    finished: datetime | None = None,
    freshness: datetime | None = None,
    pipeline: str = PIPELINE,
) -> dict[str, Any]:
    return {
        "pipeline": pipeline,
        "run_id": run_id,
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "rows": 10,
        "output_freshness": freshness,
        "received_at": finished or started,
    }


@pytest.fixture
def runs(engine: Engine, t0: datetime) -> Engine:
    """Three days of daily runs before t0, and reports that must not count."""
    upsert_pipeline_runs(
        engine,
        [
            _run("d-3", t0 - 72 * HOUR, finished=t0 - 71 * HOUR, freshness=t0 - 73 * HOUR),
            _run("d-2", t0 - 48 * HOUR, finished=t0 - 47 * HOUR),  # fresh as of its finish
            _run("d-1", t0 - 24 * HOUR, "failed", t0 - 23 * HOUR, freshness=t0 - 23 * HOUR),
            _run("d-0", t0 - 2 * HOUR, finished=t0 - 30 * MIN, freshness=t0 - 3 * HOUR),
            _run("late", t0 - HOUR, finished=t0, freshness=t0),  # finished at the end
            _run("now", t0 - 10 * MIN, "running"),
            _run("x", t0 - 100 * HOUR, finished=t0 - MIN, pipeline="other-pipeline"),
        ],
    )
    return engine


def test_the_runs_of_a_window_the_output_before_it_and_the_first_report(
    runs: Engine, t0: datetime
) -> None:
    history = freshness_history(runs, PIPELINE, t0 - 50 * HOUR, t0)
    assert history == FreshnessHistory(
        first_report=t0 - 72 * HOUR,
        fresh_before=t0 - 73 * HOUR,
        runs=((t0 - 47 * HOUR, t0 - 47 * HOUR), (t0 - 30 * MIN, t0 - 3 * HOUR)),
    )


def test_an_unknown_pipeline_has_no_history(runs: Engine, t0: datetime) -> None:
    assert freshness_history(runs, "nope", t0 - HOUR, t0) == FreshnessHistory(None, None, ())


def test_minutes_are_counted_from_the_stored_runs(runs: Engine, t0: datetime) -> None:
    counts = count_freshness_windows(runs, FRESH, t0, [HOUR, 24 * HOUR, 28 * 24 * HOUR])
    # Stale for the first hour; fresh as of t0-73h until t0-47h; as of t0-47h until t0-21h
    # (that minute included); as of t0-3h from t0-30m. Minutes before t0-72h are not counted.
    assert {span: (c.good, c.total) for span, c in counts.items()} == {
        HOUR: (30, 60),
        24 * HOUR: (3 * 60 + 1 + 30, 24 * 60),
        28 * 24 * HOUR: (24 * 60 + 26 * 60 + 1 + 30, 72 * 60),
    }


def test_the_job_pages_for_a_stale_pipeline_and_feeds_minute_counters(
    engine: Engine, t0: datetime
) -> None:
    upsert_pipeline_runs(engine, [_run("d-2", t0 - 50 * HOUR, finished=t0 - 27 * HOUR)])
    registry = CollectorRegistry()
    silent = FRESH.model_copy(
        update={"name": "silent", "sli": FRESH.sli.model_copy(update={"pipeline": "silent"})}
    )
    job = slo_job(engine, [FRESH, silent], interval=MIN, metrics=SLOMetrics(registry))

    job.run(t0)
    job.run(t0 + 2 * MIN)

    found = {s.signal.subject: s.signal for s in latest_signals(engine, "credit", "slo")}
    stale = found["credit-features-fresh"]
    assert (stale.status, stale.details["state"]) == ("breach", "page")
    assert stale.details["events"]["1h"] == {"good": 0, "total": 60}
    assert (found["silent"].status, found["silent"].details["state"]) == (
        "not_computable",
        "no_data",
    )
    labels = {"model": "credit", "slo": "credit-features-fresh"}
    assert registry.get_sample_value(EVENTS, labels) == 3.0
    assert registry.get_sample_value(GOOD_EVENTS, labels) == 0.0
