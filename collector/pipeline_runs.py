"""Validation of data-pipeline run reports (``POST /v1/pipeline-runs``).

A report says how one run of a pipeline went: ``pipeline`` and ``run_id`` (its identity;
a later report for the same run updates it), ``status`` (``running``, ``success`` or
``failed``), ``started_at``, and optionally ``finished_at``, ``rows`` (rows produced) and
``output_freshness`` (time of the newest data the run produced). Pipelines are free-form
names: they need no configuration. Same contract as predictions: one bad report is
returned as a :class:`~collector.validation.RowError`, the others are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from collector.validation import (
    Limits,
    Reject,
    RowError,
    parse_timestamp,
    split_valid,
    string_field,
)
from store.specs import ModelSpec

STATUSES = ("running", "success", "failed")


def _optional_time(event: Mapping[str, Any], key: str) -> datetime | None:
    value = event.get(key)
    return None if value is None else parse_timestamp(value, key)


def _rows(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Reject("rows", "must be a non-negative integer")
    return value


def _run(event: Any, limits: Limits, received_at: datetime) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise Reject("(event)", "must be a JSON object")
    pipeline = string_field(event, "pipeline", limits)
    run_id = string_field(event, "run_id", limits)
    status = event.get("status")
    if status not in STATUSES:
        raise Reject("status", f"must be one of {', '.join(STATUSES)}")
    if event.get("started_at") is None:
        raise Reject("started_at", "is required")
    started_at = parse_timestamp(event["started_at"], "started_at")
    finished_at = _optional_time(event, "finished_at")
    if finished_at is not None:
        if status == "running":
            raise Reject("finished_at", "a running run has not finished")
        if finished_at < started_at:
            raise Reject("finished_at", "is before started_at")
    return {
        "pipeline": pipeline,
        "run_id": run_id,
        "status": status,
        "started_at": started_at,
        "finished_at": finished_at,
        "rows": _rows(event.get("rows")),
        "output_freshness": _optional_time(event, "output_freshness"),
        "received_at": received_at,
    }


def validate_pipeline_runs(
    events: Sequence[Any],
    models: Mapping[str, ModelSpec],
    received_at: datetime,
    limits: Limits,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Split run reports into store rows and row errors (``models`` is unused: no model)."""
    return split_valid(events, lambda event: _run(event, limits, received_at))
