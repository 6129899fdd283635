"""``/v1/silences`` through FastAPI, with the caller's authentication passed in as ``vigil``
will pass it (a ``require_scope`` dependency factory), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from alerting.api import silences_router


@dataclass(frozen=True)
class Caller:
    name: str
    scopes: frozenset[str]


KEYS = {
    "Bearer ops-key": Caller("ops", frozenset({"read", "operate"})),
    "Bearer dash-key": Caller("dashboard", frozenset({"read"})),
}


def require_scope(scope: str) -> Callable[..., Any]:
    def dependency(authorization: str | None = Header(default=None)) -> Caller:
        caller = KEYS.get(authorization or "")
        if caller is None:
            raise HTTPException(status_code=401, detail="invalid API key")
        if scope not in caller.scopes:
            raise HTTPException(status_code=403, detail=f"lacks the {scope!r} scope")
        return caller

    return dependency


OPS = {"Authorization": "Bearer ops-key"}
READER = {"Authorization": "Bearer dash-key"}


@pytest.fixture
def client(engine: Engine, t0: datetime) -> Iterator[tuple[TestClient, list[datetime]]]:
    now = [t0]
    app = FastAPI()
    app.include_router(silences_router(engine, require_scope, lambda: now[0]))
    with TestClient(app) as test_client:
        yield test_client, now


def body(t0: datetime, **changes: Any) -> dict[str, Any]:
    return {
        "matchers": ['alertname="FeatureDrift"', "model=credit-risk"],
        "author": "ana@example.com",
        "comment": "retraining credit-risk, drift expected until 11:00",
        "ends_at": (t0 + timedelta(hours=2)).isoformat(),
        **changes,
    }


def test_create_list_and_expire_a_silence(
    client: tuple[TestClient, list[datetime]], t0: datetime
) -> None:
    api, now = client
    created = api.post("/v1/silences", json=body(t0), headers=OPS)
    assert created.status_code == 201
    silence = created.json()
    assert silence["matchers"] == ['alertname="FeatureDrift"', 'model="credit-risk"']
    assert (silence["state"], silence["created_by"], silence["author"]) == (
        "active",
        "ops",
        "ana@example.com",
    )
    listed = api.get("/v1/silences", params={"state": "active"}, headers=READER).json()
    assert [s["id"] for s in listed] == [silence["id"]]

    now[0] = t0 + timedelta(minutes=30)
    expired = api.delete(f"/v1/silences/{silence['id']}", headers=OPS).json()
    assert (expired["state"], expired["expired_by"]) == ("expired", "ops")
    assert expired["ends_at"] == now[0].isoformat().replace("+00:00", "Z")
    assert api.get("/v1/silences", params={"state": "active"}, headers=READER).json() == []
    again = api.get(f"/v1/silences/{silence['id']}", headers=READER).json()
    assert again["comment"] == body(t0)["comment"]


@pytest.mark.parametrize(
    ("headers", "method", "status"),
    [
        pytest.param({}, "post", 401, id="no key"),
        pytest.param(READER, "post", 403, id="a read-only key cannot create"),
        pytest.param(READER, "delete", 403, id="a read-only key cannot expire"),
    ],
)
def test_scopes_are_enforced(
    client: tuple[TestClient, list[datetime]],
    t0: datetime,
    headers: dict[str, str],
    method: str,
    status: int,
) -> None:
    api, _ = client
    if method == "post":
        response = api.post("/v1/silences", json=body(t0), headers=headers)
    else:
        response = api.delete("/v1/silences/any", headers=headers)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        pytest.param(
            {"matchers": ['alertname=~".*"']},
            "must not match the empty string",
            id="a silence that would mute everything",
        ),
        pytest.param({"matchers": ['model=~"(x"']}, "invalid regex", id="an invalid regex"),
        pytest.param(
            {"starts_at": "2026-03-02T12:00:00+00:00", "ends_at": "2026-03-02T11:00:00+00:00"},
            "ends_at must be after starts_at",
            id="an end before the start",
        ),
        pytest.param(
            {"ends_at": "2026-03-02T08:00:00+00:00"}, "ends_at is in the past", id="a past end"
        ),
        pytest.param(
            {"ends_at": "2026-03-02T12:00:00"}, "timezone", id="a time without a time zone"
        ),
    ],
)
def test_an_invalid_silence_is_refused_with_the_reason(
    client: tuple[TestClient, list[datetime]], t0: datetime, changes: dict[str, Any], detail: str
) -> None:
    api, _ = client
    response = api.post("/v1/silences", json=body(t0, **changes), headers=OPS)
    assert response.status_code == 422
    assert detail in response.text


def test_an_unknown_silence_is_404(client: tuple[TestClient, list[datetime]]) -> None:
    api, _ = client
    assert api.get("/v1/silences/nope", headers=READER).status_code == 404
    assert api.delete("/v1/silences/nope", headers=OPS).status_code == 404
