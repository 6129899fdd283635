"""The ingestion API over HTTP: auth, limits, partial acceptance, durability before 2xx.

Tests that are about what gets stored run in both durability modes: ``direct`` (committed
before the answer) and ``spool`` (fsynced to the spool before the answer, stored by the
writer; the test flushes the writer before it counts).
"""

from __future__ import annotations

import pytest
from collector_harness import OTHER_MODEL_KEY, READ_KEY, Api, ApiFactory, auth, prediction
from sqlalchemy import Engine

from store.predictions import count_labels, count_predictions


def stored_after(api: Api, engine: Engine) -> int:
    if api.durability == "spool":
        api.flush()
    return count_predictions(engine)


def test_a_valid_batch_is_durable_before_the_answer(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    response = api.client.post(
        "/v1/predictions", json=[prediction(i) for i in range(50)], headers=auth()
    )
    assert response.status_code == 200
    receipt = {"stored": 50, "duplicates": 0} if durability == "direct" else {"spooled": 50}
    assert response.json() == {"accepted": 50, **receipt, "rejected": 0, "errors": []}
    assert stored_after(api, engine) == 50
    assert api.metric("vigil_ingested_events_total", kind="predictions") == 50


def test_a_retried_batch_is_accepted_and_stored_once(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    batch = [prediction(i) for i in range(5)]
    api.client.post("/v1/predictions", json=batch, headers=auth())
    again = api.client.post("/v1/predictions", json=batch, headers=auth())
    assert again.status_code == 200 and again.json()["accepted"] == 5
    if durability == "direct":
        assert again.json()["duplicates"] == 5 and again.json()["stored"] == 0
    assert stored_after(api, engine) == 5
    assert api.metric("vigil_duplicate_events_total", kind="predictions") == 5


def test_invalid_rows_are_reported_and_valid_ones_kept(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    bad = prediction(1) | {"features": {"income": "lots"}}
    response = api.client.post(
        "/v1/predictions", json=[prediction(0), bad, {"model": "x"}], headers=auth()
    )
    body = response.json()
    assert response.status_code == 200
    assert body["accepted"] == 1 and body["rejected"] == 2
    assert body["errors"][0] == {
        "index": 1,
        "field": "features.income",
        "reason": "must be a finite number",
    }
    assert body["errors"][1]["field"] == "model"
    assert stored_after(api, engine) == 1


def test_a_batch_with_no_valid_row_is_422(
    sqlite_engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(sqlite_engine, durability)
    response = api.client.post("/v1/predictions", json=[{"model": "credit"}], headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "version"
    assert stored_after(api, sqlite_engine) == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        pytest.param(b"{not json", 400, "body is not valid JSON", id="malformed JSON is 400"),
        pytest.param(
            b'{"model": "credit"}',
            400,
            "body must be a JSON array",
            id="an object instead of an array is 400",
        ),
        pytest.param(b"\xff\xfe", 400, "body is not valid JSON", id="binary garbage is 400"),
    ],
)
def test_unreadable_bodies_get_a_clear_error(
    sqlite_engine: Engine, make_api: ApiFactory, body: bytes, status: int, message: str
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post("/v1/predictions", content=body, headers=auth())
    assert response.status_code == status
    assert response.json()["error"].startswith(message)


def test_oversized_bodies_and_batches_are_413(
    sqlite_engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(sqlite_engine, durability, max_body_bytes=1000, max_batch_rows=3)
    big = api.client.post("/v1/predictions", content=b"[" + b" " * 2000 + b"]", headers=auth())
    assert big.status_code == 413 and "over the limit" in big.json()["error"]
    many = api.client.post(
        "/v1/predictions", json=[prediction(i) for i in range(4)], headers=auth()
    )
    assert many.status_code == 413 and "batch limit of 3" in many.json()["error"]
    assert stored_after(api, sqlite_engine) == 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="no key is 401"),
        pytest.param({"Authorization": "Basic abc"}, 401, id="another scheme is 401"),
        pytest.param(
            {"Authorization": "Bearer wrong-key-0000000000"}, 401, id="an unknown key is 401"
        ),
        pytest.param({"Authorization": f"Bearer {READ_KEY}"}, 403, id="a read-only key is 403"),
    ],
)
def test_ingestion_needs_a_key_with_the_ingest_scope(
    sqlite_engine: Engine, make_api: ApiFactory, headers: dict[str, str], status: int
) -> None:
    api = make_api(sqlite_engine)
    response = api.client.post("/v1/predictions", json=[prediction(0)], headers=headers)
    assert response.status_code == status
    assert "error" in response.json()
    assert count_predictions(sqlite_engine) == 0


def test_a_key_limited_to_one_model_cannot_send_for_another(
    sqlite_engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(sqlite_engine, durability)
    response = api.client.post(
        "/v1/predictions",
        json=[prediction(0, "churn"), prediction(1, "credit")],
        headers=auth(OTHER_MODEL_KEY),
    )
    assert response.json()["accepted"] == 1
    assert response.json()["errors"][0]["field"] == "model"
    assert stored_after(api, sqlite_engine) == 1


def test_labels_are_stored_and_idempotent(
    engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(engine, durability)
    labels = [{"model": "credit", "request_id": f"r{i}", "label": i % 2} for i in range(10)]
    first = api.client.post("/v1/labels", json=labels, headers=auth())
    again = api.client.post("/v1/labels", json=labels, headers=auth())
    assert first.status_code == again.status_code == 200
    if durability == "direct":
        assert first.json()["stored"] == 10 and again.json()["duplicates"] == 10
    else:
        api.flush()
    assert count_labels(engine, "credit") == 10
    assert api.metric("vigil_duplicate_events_total", kind="labels") == 10


def test_the_server_keeps_serving_after_bad_requests(
    sqlite_engine: Engine, make_api: ApiFactory, durability: str
) -> None:
    api = make_api(sqlite_engine, durability)
    for body in (b"", b"[", b"null", b"[1,2,3]", b'[{"model": 5}]'):
        response = api.client.post("/v1/predictions", content=body, headers=auth())
        assert response.status_code in (400, 422)
    ok = api.client.post("/v1/predictions", json=[prediction(0)], headers=auth())
    assert ok.status_code == 200
    assert stored_after(api, sqlite_engine) == 1
