"""``POST /v1/pipeline-runs``: validated per report, upserted on (pipeline, run_id)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from collector_harness import OTHER_MODEL_KEY, ApiFactory, auth
from sqlalchemy import Engine

from store.pipeline_runs import get_pipeline_run, upsert_pipeline_runs

STARTED = "2026-03-02T06:00:00Z"


def report(status: str, run_id: str = "2026-03-02", **extra: object) -> dict:
    return {
        "pipeline": "features-daily",
        "run_id": run_id,
        "status": status,
        "started_at": STARTED,
        **extra,
    }


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def test_a_later_report_for_the_same_run_updates_it(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    running = api.client.post("/v1/pipeline-runs", json=[report("running")], headers=auth())
    finished = api.client.post(
        "/v1/pipeline-runs",
        json=[
            report(
                "success",
                finished_at="2026-03-02T06:40:00Z",
                rows=120_000,
                output_freshness="2026-03-02T05:59:00Z",
            )
        ],
        headers=auth(),
    )
    assert running.status_code == finished.status_code == 200
    assert api.sink.force_flush(timeout=10)
    run = get_pipeline_run(engine, "features-daily", "2026-03-02")
    assert run is not None
    assert run["status"] == "success"
    assert run["started_at"] == at(6)
    assert run["finished_at"] == at(6, 40)
    assert run["rows"] == 120_000
    assert run["output_freshness"] == at(5, 59)
    assert api.metric("vigil_ingested_events_total", kind="pipeline_runs") == 2


def test_two_reports_of_one_run_in_one_batch_are_folded(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    response = api.client.post(
        "/v1/pipeline-runs",
        json=[report("running", rows=10), report("failed", finished_at="2026-03-02T06:05:00Z")],
        headers=auth(),
    )
    assert response.status_code == 200 and response.json()["accepted"] == 2
    assert api.sink.force_flush(timeout=10)
    run = get_pipeline_run(engine, "features-daily", "2026-03-02")
    assert run is not None
    assert (run["status"], run["rows"], run["finished_at"]) == ("failed", 10, at(6, 5))


def test_a_late_running_report_does_not_reopen_a_finished_run(engine: Engine) -> None:
    def row(status: str, finished_at: datetime | None) -> dict:
        return {
            "pipeline": "p",
            "run_id": "1",
            "status": status,
            "started_at": at(6),
            "finished_at": finished_at,
            "rows": None,
            "output_freshness": None,
            "received_at": at(7),
        }

    assert upsert_pipeline_runs(engine, [row("success", at(6, 30))]) == 1
    assert upsert_pipeline_runs(engine, [row("running", None)]) == 1
    run = get_pipeline_run(engine, "p", "1")
    assert run is not None
    assert (run["status"], run["finished_at"]) == ("success", at(6, 30))


@pytest.mark.parametrize(
    ("event", "field", "reason"),
    [
        pytest.param(
            {"run_id": "1", "status": "success", "started_at": STARTED},
            "pipeline",
            "is required",
            id="a report without a pipeline",
        ),
        pytest.param(
            report("done"),
            "status",
            "must be one of running, success, failed",
            id="an unknown status",
        ),
        pytest.param(
            {**report("success"), "started_at": None},
            "started_at",
            "is required",
            id="a report without started_at",
        ),
        pytest.param(
            report("success", finished_at="2026-03-02T05:00:00Z"),
            "finished_at",
            "is before started_at",
            id="finished before it started",
        ),
        pytest.param(
            report("running", finished_at="2026-03-02T07:00:00Z"),
            "finished_at",
            "a running run has not finished",
            id="a running run with a finish time",
        ),
        pytest.param(
            report("success", rows=-1), "rows", "must be a non-negative integer", id="negative rows"
        ),
        pytest.param(
            report("success", rows=1.5),
            "rows",
            "must be a non-negative integer",
            id="fractional rows",
        ),
        pytest.param(
            report("success", output_freshness="yesterday"),
            "output_freshness",
            "must be an RFC 3339 time or Unix seconds",
            id="a freshness that is no time",
        ),
        pytest.param(
            "a string", "(event)", "must be a JSON object", id="a report that is no object"
        ),
    ],
)
def test_bad_reports_are_rejected_with_field_and_reason(
    sqlite_engine: Engine, make_api: ApiFactory, event: object, field: str, reason: str
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post(
        "/v1/pipeline-runs", json=[report("success", run_id="ok"), event], headers=auth()
    )
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    assert response.json()["errors"] == [{"index": 1, "field": field, "reason": reason}]


def test_a_key_limited_to_models_may_still_report_pipeline_runs(
    sqlite_engine: Engine, make_api: ApiFactory
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post(
        "/v1/pipeline-runs", json=[report("running")], headers=auth(OTHER_MODEL_KEY)
    )
    assert response.status_code == 200 and response.json()["stored"] == 1
