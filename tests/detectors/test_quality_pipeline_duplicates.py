"""Duplicate requests in the scheduled quality window (SQLite and PostgreSQL).

The store refuses a repeated (model, request id), so the window can only hold a request
resent under a *new* id: same time, version, features, prediction and score. The quality
job finds those and stores a ``duplicates`` signal; distinct requests, even with identical
features at another time, are not duplicates.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from detectors.config import QualityConfig
from detectors.quality_duplicates import request_key, request_keys
from detectors.quality_job import quality_job
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.specs import ModelSpec

SPEC = ModelSpec.model_validate(
    {"name": "credit", "features": [{"name": "income", "type": "numeric"}]}
)


def run_job(job: ScheduledJob, now: datetime) -> list[Signal]:
    """The job's signals (``ScheduledJob.run`` is typed loosely for the scheduler)."""
    found = job.run(now)
    assert isinstance(found, list)
    return found


def _row(request_id: str, ts: datetime, income: float, score: float = 0.3) -> dict[str, Any]:
    return {"model": "credit", "version": "v1", "request_id": request_id, "ts": ts,
            "features": {"income": income}, "prediction": 0, "score": score,
            "latency_ms": 1.0, "received_at": ts}  # fmt: skip


def test_requests_resent_under_new_ids_breach_the_duplicates_check(
    engine: Engine, t0: datetime
) -> None:
    start = t0 - timedelta(hours=1)
    rows = [_row(f"r{i}", start + timedelta(seconds=10 * i), 1000.0 + i) for i in range(100)]
    resent = [dict(rows[i], request_id=f"retry-{i}") for i in (3, 4, 5)]
    same_features_later = dict(
        rows[7], request_id="other", ts=rows[7]["ts"] + timedelta(milliseconds=1)
    )
    insert_predictions(engine, [*rows, *resent, same_features_later])
    assert insert_predictions(engine, [dict(rows[0])]) == 0  # same id: refused by the store

    keys = request_keys(engine, "credit", start, t0)
    assert len(keys) == 104 and len(set(keys)) == 101
    job = quality_job(engine, (SPEC,), QualityConfig(), Path)
    [duplicates] = [s for s in run_job(job, t0) if s.subject == "duplicates"]
    assert (duplicates.status, duplicates.sample_size) == ("breach", 104)
    assert duplicates.value == 3 / 104 and duplicates.details["repeated"] == 3


def test_a_window_of_distinct_requests_has_no_duplicates(engine: Engine, t0: datetime) -> None:
    start = t0 - timedelta(hours=1)
    insert_predictions(
        engine, [_row(f"r{i}", start + timedelta(seconds=i), 1.0) for i in range(50)]
    )
    job = quality_job(engine, (SPEC,), QualityConfig(), Path)
    [duplicates] = [s for s in run_job(job, t0) if s.subject == "duplicates"]
    assert (duplicates.status, duplicates.value) == ("ok", 0.0)


def test_an_empty_window_cannot_say_anything_about_duplicates(engine: Engine, t0: datetime) -> None:
    job = quality_job(engine, (SPEC,), QualityConfig(), Path)
    [duplicates] = [s for s in run_job(job, t0) if s.subject == "duplicates"]
    assert duplicates.status == "not_computable"


def test_the_key_covers_every_field_a_resent_request_repeats(t0: datetime) -> None:
    base = request_key(t0, "v1", {"a": 1, "b": "x"}, 1, 0.5)
    assert base == request_key(t0, "v1", {"b": "x", "a": 1}, 1, 0.5)  # key order is no change
    changed = [
        request_key(t0 + timedelta(microseconds=1), "v1", {"a": 1, "b": "x"}, 1, 0.5),
        request_key(t0, "v2", {"a": 1, "b": "x"}, 1, 0.5),
        request_key(t0, "v1", {"a": 2, "b": "x"}, 1, 0.5),
        request_key(t0, "v1", {"a": 1, "b": "x"}, 0, 0.5),
        request_key(t0, "v1", {"a": 1, "b": "x"}, 1, 0.6),
    ]
    assert base not in changed and len(set(changed)) == 5
