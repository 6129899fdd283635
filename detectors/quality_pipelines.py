"""Data pipelines late or failed: pure checks of a pipeline's reported runs against its
expected schedule (:class:`detectors.quality_pipeline_config.PipelineExpectation`).

Pipelines report runs to ``POST /v1/pipeline-runs`` (stored by :mod:`store.pipeline_runs`).
For each configured pipeline and each model it feeds, three signals:

===================  =====================  ============================  ===================
detector             subject                value                         breach when
===================  =====================  ============================  ===================
``pipeline_late``    ``<pipeline>``         minutes since the last        above ``every +
                                            successful run finished       max_delay``
``pipeline_late``    ``<pipeline>:runtime`` minutes the oldest unfinished above ``max_runtime``
                                            run has been running
``pipeline_failed``  ``<pipeline>``         failed runs since the last    above 0
                                            success (running ones skipped)
===================  =====================  ============================  ===================

Two detectors, so two alert rules (``PipelineStale``, ``PipelineRunFailed``) can page with
their own severity and runbook. A pipeline that never succeeded is late once ``every +
max_delay`` has passed since its first reported run; one that never reported anything is
``not_computable`` (nothing says it runs at all: check its reporting).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from detectors.quality_pipeline_config import PipelineExpectation
from store.records import Signal, SignalStatus

LATE = "pipeline_late"
FAILED = "pipeline_failed"


@dataclass(frozen=True, slots=True)
class PipelineFacts:
    """What the store knows of one pipeline: its latest runs (newest first, stored rows) and
    when its last successful run finished."""

    runs: Sequence[Mapping[str, Any]]
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class PipelineFinding:
    """One pipeline check before it is copied to each model the pipeline feeds."""

    detector: str
    subject: str
    metric: str
    value: float | None
    threshold: float | None
    status: SignalStatus
    details: dict[str, Any]


def _minutes(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds() / 60, 0.0)


def lateness(expected: PipelineExpectation, facts: PipelineFacts, now: datetime) -> PipelineFinding:
    """Minutes since the last success against ``every + max_delay``."""
    limit = (expected.every + expected.max_delay).total_seconds() / 60
    details: dict[str, Any] = {"pipeline": expected.name, "limit_minutes": limit}
    if facts.last_success_at is not None:
        since = facts.last_success_at
        details["last_success_at"] = since.isoformat()
    elif facts.runs:
        since = min(run["started_at"] for run in facts.runs)
        details["first_run_at"] = since.isoformat()
        details["never_succeeded"] = True
    else:
        details["reason"] = "no run of this pipeline has been reported"
        return PipelineFinding(LATE, expected.name, "minutes_since_success", None, limit,
                               "not_computable", details)  # fmt: skip
    value = _minutes(now, since)
    status: SignalStatus = "breach" if value > limit else "ok"
    return PipelineFinding(LATE, expected.name, "minutes_since_success", value, limit, status,
                           details)  # fmt: skip


def runtime(expected: PipelineExpectation, facts: PipelineFacts, now: datetime) -> PipelineFinding:
    """Minutes the oldest unfinished run has been running, against ``max_runtime``."""
    subject = f"{expected.name}:runtime"
    running = [run for run in facts.runs if run["status"] == "running"]
    details: dict[str, Any] = {"pipeline": expected.name, "running_runs": len(running)}
    if expected.max_runtime is None:
        details["reason"] = "no max_runtime configured for this pipeline"
        return PipelineFinding(LATE, subject, "running_minutes", None, None, "not_computable",
                               details)  # fmt: skip
    limit = expected.max_runtime.total_seconds() / 60
    if not running:
        return PipelineFinding(LATE, subject, "running_minutes", 0.0, limit, "ok", details)
    oldest = min(running, key=lambda run: run["started_at"])
    value = _minutes(now, oldest["started_at"])
    details.update(run_id=oldest["run_id"], started_at=oldest["started_at"].isoformat())
    status: SignalStatus = "breach" if value > limit else "ok"
    return PipelineFinding(LATE, subject, "running_minutes", value, limit, status, details)


def failures(expected: PipelineExpectation, facts: PipelineFacts) -> PipelineFinding:
    """Failed runs since the last successful one (newest first; running runs are skipped)."""
    details: dict[str, Any] = {"pipeline": expected.name}
    finished = [run for run in facts.runs if run["status"] != "running"]
    if not finished:
        details["reason"] = "no finished run of this pipeline has been reported"
        return PipelineFinding(FAILED, expected.name, "consecutive_failures", None, 0.0,
                               "not_computable", details)  # fmt: skip
    failed = []
    for run in finished:
        if run["status"] != "failed":
            break
        failed.append(run)
    if failed:
        details.update(
            latest_failed_run=failed[0]["run_id"],
            latest_failed_at=(failed[0]["finished_at"] or failed[0]["started_at"]).isoformat(),
        )
    status: SignalStatus = "breach" if failed else "ok"
    return PipelineFinding(FAILED, expected.name, "consecutive_failures", float(len(failed)),
                           0.0, status, details)  # fmt: skip


def pipeline_signals(
    pipelines: Sequence[PipelineExpectation],
    facts: Mapping[str, PipelineFacts],
    window_start: datetime,
    window_end: datetime,
    now: datetime,
) -> list[Signal]:
    """Every pipeline's three findings, once per model it feeds."""
    found: list[Signal] = []
    for expected in pipelines:
        known = facts.get(expected.name, PipelineFacts((), None))
        findings = [lateness(expected, known, now), runtime(expected, known, now),
                    failures(expected, known)]  # fmt: skip
        for model in expected.models:
            for f in findings:
                found.append(
                    Signal(
                        detector=f.detector, model=model, subject=f.subject, metric=f.metric,
                        window_start=window_start, window_end=window_end, value=f.value,
                        threshold=f.threshold, status=f.status, sample_size=len(known.runs),
                        details=dict(f.details),
                    )
                )  # fmt: skip
    return found
