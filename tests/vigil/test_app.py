"""The composed API: health, metrics, and the operator endpoints behind scoped keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from vigil.app import build_app
from vigil.config import parse_config

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPERATE = "operator-key-0123456789"
READ = "reader-key-0123456789"
INGEST = "ingest-key-0123456789"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    config = parse_config(
        f"""
collector:
  api_keys:
    - {{name: oncall, key: {OPERATE}, scopes: [read, operate]}}
    - {{name: partner, key: {READ}, scopes: [read]}}
    - {{name: svc, key: {INGEST}, scopes: [ingest]}}
"""
    )
    return TestClient(build_app(config, engine, CollectorRegistry(), lambda: NOW))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_health_readiness_and_metrics_answer(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").status_code == 200
    assert "vigil_ingested_events_total" in client.get("/metrics").text


def test_an_operator_silences_and_a_partner_can_only_read(client: TestClient) -> None:
    silence = {
        "matchers": ['alertname="FeatureDrift"', 'model="credit-risk"'],
        "author": "dana",
        "comment": "known upstream change, CHG-1234",
        "ends_at": (NOW + timedelta(hours=2)).isoformat(),
    }
    assert client.post("/v1/silences", json=silence, headers=bearer(READ)).status_code == 403
    assert client.post("/v1/silences", json=silence, headers=bearer(INGEST)).status_code == 403
    assert client.post("/v1/silences", json=silence).status_code == 401
    created = client.post("/v1/silences", json=silence, headers=bearer(OPERATE))
    assert created.status_code == 201, created.text
    listed = client.get("/v1/silences", headers=bearer(READ))
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()] == [created.json()["id"]]
