"""The ingestion API over HTTP: auth, limits, partial acceptance, durability before 2xx."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy import Engine

from collector.api import ingestion_router
from collector.config import ApiKeyConfig, CollectorConfig
from collector.metrics import CollectorMetrics
from store.predictions import count_labels, count_predictions
from store.specs import FeatureSpec, ModelSpec

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INGEST_KEY = "ingest-key-0123456789"
READ_KEY = "read-only-key-0123456789"
OTHER_MODEL_KEY = "other-model-key-012345"
MODELS = (
    ModelSpec(name="credit", features=(FeatureSpec(name="income", type="numeric"),)),
    ModelSpec(name="churn", features=(FeatureSpec(name="tenure", type="numeric"),)),
)


def make_client(engine: Engine, **limits) -> tuple[TestClient, CollectorRegistry]:
    config = CollectorConfig(
        api_keys=(
            ApiKeyConfig(name="svc", key=INGEST_KEY, scopes=("ingest",)),
            ApiKeyConfig(name="reader", key=READ_KEY, scopes=("read",)),
            ApiKeyConfig(name="churn-svc", key=OTHER_MODEL_KEY, models=("churn",)),
        ),
        **limits,
    )
    registry = CollectorRegistry()
    app = FastAPI()
    app.include_router(
        ingestion_router(engine, MODELS, config, CollectorMetrics(registry), lambda: NOW)
    )
    return TestClient(app), registry


def auth(key: str = INGEST_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def prediction(i: int, model: str = "credit") -> dict:
    feature = "income" if model == "credit" else "tenure"
    return {
        "model": model,
        "version": "v1",
        "request_id": f"r{i}",
        "timestamp": "2026-03-02T08:00:00Z",
        "features": {feature: float(i)},
        "score": 0.5,
    }


def test_a_valid_batch_is_committed_before_the_answer(engine: Engine) -> None:
    client, registry = make_client(engine)
    response = client.post(
        "/v1/predictions", json=[prediction(i) for i in range(50)], headers=auth()
    )
    assert response.status_code == 200
    assert response.json() == {
        "accepted": 50,
        "stored": 50,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
    }
    assert count_predictions(engine, "credit") == 50
    assert b'vigil_ingested_events_total{kind="predictions"} 50.0' in generate_latest(registry)


def test_a_retried_batch_is_accepted_and_stored_once(engine: Engine) -> None:
    client, _ = make_client(engine)
    batch = [prediction(i) for i in range(5)]
    client.post("/v1/predictions", json=batch, headers=auth())
    again = client.post("/v1/predictions", json=batch, headers=auth())
    assert again.json()["duplicates"] == 5 and again.json()["stored"] == 0
    assert count_predictions(engine) == 5


def test_invalid_rows_are_reported_and_valid_ones_kept(engine: Engine) -> None:
    client, _ = make_client(engine)
    bad = prediction(1) | {"features": {"income": "lots"}}
    response = client.post(
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
    assert count_predictions(engine) == 1


def test_a_batch_with_no_valid_row_is_422(sqlite_engine: Engine) -> None:
    client, _ = make_client(sqlite_engine)
    response = client.post("/v1/predictions", json=[{"model": "credit"}], headers=auth())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "version"


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
def test_unreadable_bodies_get_a_clear_error(sqlite_engine: Engine, body, status, message) -> None:
    client, _ = make_client(sqlite_engine)
    response = client.post("/v1/predictions", content=body, headers=auth())
    assert response.status_code == status
    assert response.json()["error"].startswith(message)


def test_oversized_bodies_and_batches_are_413(sqlite_engine: Engine) -> None:
    client, _ = make_client(sqlite_engine, max_body_bytes=1000, max_batch_rows=3)
    big = client.post("/v1/predictions", content=b"[" + b" " * 2000 + b"]", headers=auth())
    assert big.status_code == 413 and "over the limit" in big.json()["error"]
    many = client.post("/v1/predictions", json=[prediction(i) for i in range(4)], headers=auth())
    assert many.status_code == 413 and "batch limit of 3" in many.json()["error"]
    assert count_predictions(sqlite_engine) == 0


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
    sqlite_engine: Engine, headers, status
) -> None:
    client, _ = make_client(sqlite_engine)
    response = client.post("/v1/predictions", json=[prediction(0)], headers=headers)
    assert response.status_code == status
    assert "error" in response.json()
    assert count_predictions(sqlite_engine) == 0


def test_a_key_limited_to_one_model_cannot_send_for_another(sqlite_engine: Engine) -> None:
    client, _ = make_client(sqlite_engine)
    response = client.post(
        "/v1/predictions",
        json=[prediction(0, "churn"), prediction(1, "credit")],
        headers=auth(OTHER_MODEL_KEY),
    )
    assert response.json()["accepted"] == 1
    assert response.json()["errors"][0]["field"] == "model"


def test_labels_are_stored_and_idempotent(engine: Engine) -> None:
    client, _ = make_client(engine)
    labels = [{"model": "credit", "request_id": f"r{i}", "label": i % 2} for i in range(10)]
    assert client.post("/v1/labels", json=labels, headers=auth()).json()["stored"] == 10
    assert client.post("/v1/labels", json=labels, headers=auth()).json()["duplicates"] == 10
    assert count_labels(engine, "credit") == 10


def test_the_server_keeps_serving_after_bad_requests(sqlite_engine: Engine) -> None:
    client, _ = make_client(sqlite_engine)
    for body in (b"", b"[", b"null", b"[1,2,3]", b'[{"model": 5}]'):
        assert client.post("/v1/predictions", content=body, headers=auth()).status_code in (
            400,
            422,
        )
    assert client.post("/v1/predictions", json=[prediction(0)], headers=auth()).status_code == 200
