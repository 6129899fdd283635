"""Pipelines late or failed, from the run reports stored by ``/v1/pipeline-runs``.

The pure checks on table cases, then the job on SQLite and PostgreSQL: signals per model
the pipeline feeds, and ``PipelineStale`` / ``PipelineRunFailed`` alerts with their runbook.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from alerting.config import AlertRule
from alerting.rules import evaluate_rules
from detectors.quality_pipeline_config import PipelineExpectation, PipelinesConfig
from detectors.quality_pipeline_job import pipeline_job
from detectors.quality_pipelines import PipelineFacts, failures, lateness, runtime
from store.pipeline_runs import upsert_pipeline_runs
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import latest_signals

DAILY = PipelineExpectation(
    name="features", models=("credit",), every=timedelta(days=1),
    max_delay=timedelta(hours=2), max_runtime=timedelta(hours=3),
)  # fmt: skip
NOW = datetime(2026, 3, 2, 9, 0).astimezone()


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def run(run_id: str, status: str, started: timedelta, finished: timedelta | None) -> dict[str, Any]:
    """A stored run that started ``started`` before NOW and finished ``finished`` before it."""
    return {"run_id": run_id, "status": status, "started_at": NOW - started,
            "finished_at": None if finished is None else NOW - finished}  # fmt: skip


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("runs", "last_success", "status", "value"),
    [
        pytest.param([run("r1", "success", 5 * H, 4 * H)], NOW - 4 * H, "ok", 240.0,
                     id="succeeded four hours ago: on time"),
        pytest.param([run("r1", "success", 27 * H, 26.5 * H)], NOW - 26.5 * H, "breach", 1590.0,
                     id="last success 26.5 hours ago: late past every plus max_delay"),
        pytest.param([run("r1", "failed", 30 * H, 29 * H)], None, "breach", 1800.0,
                     id="never succeeded since its first run 30 hours ago"),
        pytest.param([run("r1", "running", 1 * H, None)], None, "ok", 60.0,
                     id="first run still going: not late yet"),
        pytest.param([], None, "not_computable", None, id="never reported"),
    ],
)  # fmt: skip
def test_lateness(
    runs: list[dict[str, Any]], last_success: datetime | None, status: str, value: float | None
) -> None:
    finding = lateness(DAILY, PipelineFacts(runs, last_success), NOW)
    assert (finding.status, finding.value, finding.threshold) == (status, value, 1560.0)


@pytest.mark.parametrize(
    ("runs", "status", "value"),
    [
        pytest.param([run("r2", "running", 4 * H, None), run("r1", "success", 30 * H, 29 * H)],
                     "breach", 240.0, id="running for four hours: hung"),
        pytest.param([run("r2", "running", 1 * H, None)], "ok", 60.0, id="running for an hour"),
        pytest.param([run("r1", "success", 5 * H, 4 * H)], "ok", 0.0, id="nothing running"),
    ],
)  # fmt: skip
def test_runtime(runs: list[dict[str, Any]], status: str, value: float) -> None:
    finding = runtime(DAILY, PipelineFacts(runs, None), NOW)
    assert (finding.subject, finding.status, finding.value) == ("features:runtime", status, value)


def test_runtime_without_a_limit_is_not_computable() -> None:
    expected = DAILY.model_copy(update={"max_runtime": None})
    finding = runtime(expected, PipelineFacts([run("r", "running", 9 * H, None)], None), NOW)
    assert finding.status == "not_computable"
    assert finding.details["reason"] == "no max_runtime configured for this pipeline"


@pytest.mark.parametrize(
    ("runs", "status", "value"),
    [
        pytest.param([run("r3", "failed", 1 * H, 0.5 * H), run("r2", "failed", 25 * H, 24 * H),
                      run("r1", "success", 49 * H, 48 * H)], "breach", 2.0,
                     id="two failures since the last success"),
        pytest.param([run("r3", "running", 1 * H, None), run("r2", "failed", 25 * H, 24 * H)],
                     "breach", 1.0, id="a retry running after a failure is still failed"),
        pytest.param([run("r2", "success", 2 * H, 1 * H), run("r1", "failed", 25 * H, 24 * H)],
                     "ok", 0.0, id="a success after a failure clears it"),
    ],
)  # fmt: skip
def test_failures(runs: list[dict[str, Any]], status: str, value: float) -> None:
    finding = failures(DAILY, PipelineFacts(runs, None))
    assert (finding.detector, finding.status, finding.value) == ("pipeline_failed", status, value)


def _report(pipeline: str, run_id: str, status: str, start: datetime,
            end: datetime | None) -> dict[str, Any]:  # fmt: skip
    return {"pipeline": pipeline, "run_id": run_id, "status": status, "started_at": start,
            "finished_at": end, "rows": 10, "output_freshness": end, "received_at": start}  # fmt: skip


def test_the_job_stores_signals_for_each_fed_model_and_rules_alert(
    engine: Engine, t0: datetime
) -> None:
    upsert_pipeline_runs(engine, [
        _report("features", "d1", "success", t0 - 50 * H, t0 - 49 * H),
        _report("features", "d2", "failed", t0 - 26 * H, t0 - 25.5 * H),
        _report("labels", "l1", "success", t0 - 3 * H, t0 - 2 * H),
        _report("labels", "l2", "running", t0 - 30 * timedelta(minutes=1), None),
        _report("features", "future", "failed", t0 + H, t0 + 2 * H),  # after now: ignored
    ])  # fmt: skip
    config = PipelinesConfig(pipelines=(
        DAILY.model_copy(update={"models": ("credit", "fraud")}),
        PipelineExpectation(name="labels", models=("credit",), every=timedelta(hours=6)),
    ))  # fmt: skip
    job = pipeline_job(engine, config)
    found = {(s.model, s.detector, s.subject): s for s in run_job(job, t0)}
    assert {k: s.status for k, s in found.items()} == {
        (m, d, s): status
        for m in ("credit", "fraud")
        for d, s, status in [("pipeline_late", "features", "breach"),
                             ("pipeline_late", "features:runtime", "ok"),
                             ("pipeline_failed", "features", "breach")]
    } | {
        ("credit", "pipeline_late", "labels"): "ok",
        ("credit", "pipeline_late", "labels:runtime"): "not_computable",
        ("credit", "pipeline_failed", "labels"): "ok",
    }  # fmt: skip
    late = found[("credit", "pipeline_late", "features")]
    assert late.value == pytest.approx(49 * 60) and late.threshold == 26 * 60
    failed = found[("fraud", "pipeline_failed", "features")]
    assert failed.value == 1.0 and failed.details["latest_failed_run"] == "d2"
    assert len(latest_signals(engine, "fraud", "pipeline_failed")) == 1

    rules = [
        AlertRule.model_validate({"alert": "PipelineStale", "detector": "pipeline_late",
                                  "runbook": "pipeline-freshness"}),
        AlertRule.model_validate({"alert": "PipelineRunFailed", "detector": "pipeline_failed",
                                  "runbook": "pipeline-freshness", "severity": "critical"}),
    ]  # fmt: skip
    fired = evaluate_rules(
        engine, rules, [("credit", "risk"), ("fraud", None)],
        lambda name: f"file:///runbooks/{name}.md", None, t0,
    )  # fmt: skip
    names = sorted((a.labels["alertname"], a.labels["model"]) for a in fired)
    assert names == [("PipelineRunFailed", "credit"), ("PipelineRunFailed", "fraud"),
                     ("PipelineStale", "credit"), ("PipelineStale", "fraud")]  # fmt: skip
    assert {a.annotations["runbook_url"] for a in fired} == {
        "file:///runbooks/pipeline-freshness.md"
    }
