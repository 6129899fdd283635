"""``/v1/incidents`` through FastAPI, with authentication passed in as ``vigil`` passes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from alert_router_kit import Recorder, fire, router_from, tick
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from alerting.incident_tick import incidents_tick
from alerting.incidents_api import incidents_router
from store.audit import audit_entries
from store.incidents import timeline


@dataclass(frozen=True)
class Caller:
    name: str
    scopes: frozenset[str]


KEYS = {
    "Bearer ops-key": Caller("ops", frozenset({"read", "operate"})),
    "Bearer dash-key": Caller("dashboard", frozenset({"read"})),
}
OPS = {"Authorization": "Bearer ops-key"}
READER = {"Authorization": "Bearer dash-key"}
CONFIG = """
route:
  receiver: oncall
  group_by: [model]
receivers:
  - name: oncall
"""


def require_scope(scope: str) -> Callable[..., Any]:
    def dependency(authorization: str | None = Header(default=None)) -> Caller:
        caller = KEYS.get(authorization or "")
        if caller is None:
            raise HTTPException(status_code=401, detail="invalid API key")
        if scope not in caller.scopes:
            raise HTTPException(status_code=403, detail=f"lacks the {scope!r} scope")
        return caller

    return dependency


@pytest.fixture
def api(engine: Engine, t0: datetime) -> Iterator[tuple[TestClient, list[datetime], int]]:
    _, router = router_from(CONFIG)
    fire(engine, {"alertname": "FeatureDrift", "model": "a"}, t0)
    tick(engine, router, {"oncall": {"log[0]": Recorder()}}, t0)
    [incident_id] = incidents_tick(engine, t0).opened
    now = [t0 + timedelta(minutes=2)]
    app = FastAPI()
    app.include_router(incidents_router(engine, require_scope, lambda: now[0]))
    with TestClient(app) as client:
        yield client, now, incident_id


def test_an_operator_acknowledges_notes_and_resolves_and_reads_the_timeline(
    api: tuple[TestClient, list[datetime], int],
) -> None:
    client, now, incident_id = api
    base = f"/v1/incidents/{incident_id}"
    acked = client.post(f"{base}/acknowledge", json={"reason": "on it"}, headers=OPS)
    assert (acked.status_code, acked.json()["status"]) == (200, "acknowledged")
    assert (
        client.post(f"{base}/notes", json={"text": "stale reference"}, headers=OPS).status_code
        == 201
    )
    now[0] += timedelta(minutes=10)
    assert client.post(f"{base}/resolve", headers=OPS).json()["status"] == "resolved"
    detail = client.get(base, headers=READER).json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "alert_fired",
        "acknowledged",
        "note",
        "resolved",
    ]
    assert detail["timeline"][1]["actor"] == "ops"
    assert detail["durations"]["time_to_acknowledge"] == 120.0
    assert detail["durations"]["time_to_resolve"] == 720.0
    listed = client.get("/v1/incidents", params={"status": "resolved"}, headers=READER).json()
    assert [i["id"] for i in listed] == [incident_id]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        pytest.param("/v1/incidents/999/acknowledge", OPS, 404, id="an unknown incident is 404"),
        pytest.param("/v1/incidents/{id}/acknowledge", READER, 403, id="a read key cannot ack"),
        pytest.param("/v1/incidents/{id}/notes", READER, 403, id="a read key cannot add notes"),
        pytest.param("/v1/incidents/{id}/close", OPS, 409, id="an open incident cannot close"),
        pytest.param("/v1/incidents/{id}/acknowledge", {}, 401, id="no key is 401"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(
    api: tuple[TestClient, list[datetime], int],
    engine: Engine,
    path: str,
    headers: dict[str, str],
    status: int,
) -> None:
    client, _, incident_id = api
    body = {"text": "x"} if path.endswith("notes") else {}
    answer = client.post(path.format(id=incident_id), json=body, headers=headers)
    assert answer.status_code == status
    assert [e.kind for e in timeline(engine, incident_id)] == ["alert_fired"]
    assert list(audit_entries(engine)) == []


def test_a_closed_incident_refuses_notes_with_409(
    api: tuple[TestClient, list[datetime], int],
) -> None:
    client, _, incident_id = api
    base = f"/v1/incidents/{incident_id}"
    client.post(f"{base}/resolve", headers=OPS)
    client.post(f"{base}/close", headers=OPS)
    assert client.post(f"{base}/notes", json={"text": "late"}, headers=OPS).status_code == 409
    assert client.get("/v1/incidents/999", headers=READER).status_code == 404
