"""The spool's writer: replay after a restart, retries while the store is down, backpressure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from collector_harness import NOW, ApiFactory, auth, prediction
from sqlalchemy import Engine

from collector.batches import Batch, encode
from collector.spool import Spool
from collector.spool_files import list_segments
from collector.writer import backoff_seconds
from store.predictions import count_predictions, insert_predictions


def store_rows(first: int, count: int) -> list[dict]:
    return [
        {
            "model": "credit",
            "version": "v1",
            "request_id": f"r{i}",
            "ts": NOW,
            "features": {"income": float(i)},
            "received_at": NOW,
        }
        for i in range(first, first + count)
    ]


@pytest.mark.parametrize(
    ("attempt", "pause"),
    [
        pytest.param(0, 0.05, id="the first retry waits 50 ms"),
        pytest.param(3, 0.4, id="each retry doubles the pause"),
        pytest.param(20, 30.0, id="the pause is capped"),
        pytest.param(10_000, 30.0, id="a very long outage does not overflow"),
    ],
)
def test_backoff_doubles_up_to_its_cap(attempt: int, pause: float) -> None:
    assert backoff_seconds(attempt, initial=0.05, maximum=30.0) == pytest.approx(pause)


def test_batches_spooled_before_a_crash_are_stored_once_at_the_next_start(
    engine: Engine, make_api: ApiFactory
) -> None:
    spool = Spool(make_api.spool_dir, segment_bytes=4096)
    for first in range(0, 100, 10):
        spool.append(encode(Batch("predictions", store_rows(first, 10), NOW)))
    spool.close()  # the process died here: acknowledged, nothing stored

    api = make_api(engine, "spool", spool_segment_bytes=4096)
    api.flush()
    assert count_predictions(engine) == 100
    assert api.metric("vigil_spool_records") == 0
    assert api.metric("vigil_spool_bytes") == 0
    assert len(list_segments(make_api.spool_dir)) == 1  # the drained segments are gone


def test_a_crash_between_storing_and_checkpointing_stores_nothing_twice(
    sqlite_engine: Engine, make_api: ApiFactory
) -> None:
    spool = Spool(make_api.spool_dir, segment_bytes=1 << 20)
    rows = store_rows(0, 20)
    spool.append(encode(Batch("predictions", rows, NOW)))
    insert_predictions(sqlite_engine, rows)  # stored, but the checkpoint never moved
    spool.close()

    api = make_api(sqlite_engine, "spool")
    api.flush()
    assert count_predictions(sqlite_engine) == 20
    assert api.metric("vigil_duplicate_events_total", kind="predictions") == 20


def test_ingestion_continues_while_the_store_is_down_and_drains_when_it_returns(
    unreachable_store: tuple[Engine, Callable[[], None]], make_api: ApiFactory
) -> None:
    engine, repair = unreachable_store
    api = make_api(engine, "spool", writer_retry_max_seconds=0.2)
    for first in range(0, 60, 20):
        batch = [prediction(i) for i in range(first, first + 20)]
        response = api.client.post("/v1/predictions", json=batch, headers=auth())
        assert response.status_code == 200 and response.json()["spooled"] == 20

    assert not api.sink.force_flush(timeout=0.5)
    assert api.metric("vigil_writer_store_failures_total") >= 1
    assert api.metric("vigil_spool_records") == 3
    assert api.metric("vigil_writer_lag_seconds") >= 0

    repair()
    api.flush()
    assert count_predictions(engine) == 60
    assert api.metric("vigil_spool_records") == 0


def test_a_full_spool_answers_429_with_retry_after_and_recovers_once_drained(
    unreachable_store: tuple[Engine, Callable[[], None]], make_api: ApiFactory
) -> None:
    engine, repair = unreachable_store
    api = make_api(
        engine,
        "spool",
        max_spool_bytes=8000,
        retry_after_seconds=7,
        writer_retry_max_seconds=0.2,
    )
    accepted = 0
    for first in range(0, 400, 10):
        batch = [prediction(i) for i in range(first, first + 10)]
        response = api.client.post("/v1/predictions", json=batch, headers=auth())
        if response.status_code == 429:
            break
        assert response.status_code == 200
        accepted += 10
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert "retry later" in response.json()["error"]
    assert 0 < accepted < 400

    repair()
    api.flush()
    assert count_predictions(engine) == accepted
    retry = api.client.post("/v1/predictions", json=[prediction(1000)], headers=auth())
    assert retry.status_code == 200


def test_shutdown_during_an_outage_keeps_the_spool_for_the_next_start(
    unreachable_store: tuple[Engine, Callable[[], None]], make_api: ApiFactory
) -> None:
    engine, repair = unreachable_store
    api = make_api(engine, "spool", writer_retry_max_seconds=0.2)
    assert (
        api.client.post(
            "/v1/predictions", json=[prediction(i) for i in range(5)], headers=auth()
        ).json()["spooled"]
        == 5
    )
    assert api.sink.shutdown(timeout=0.5) is False

    repair()
    restarted = make_api(engine, "spool")
    restarted.flush()
    assert count_predictions(engine) == 5
