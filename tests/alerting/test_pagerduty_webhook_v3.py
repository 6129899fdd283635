"""PagerDuty V3 webhooks acknowledge and resolve Vigil incidents, on SQLite and PostgreSQL.

Vigil pages PagerDuty through the real Events API client (pointed at a local server), then
PagerDuty's webhook for that incident comes back, signed with the subscription's secret:
the incident is acknowledged (the PagerDuty user is the actor on the timeline and in the
audit log), then resolved. A wrong or missing signature answers 401 and changes nothing.
"""

from __future__ import annotations

import hmac
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from alert_http_sinks import PagerDutyTestServer
from alert_router_kit import Recorder, fire, router_from, tick
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from alerting.config.pagerduty_webhook import PagerDutyWebhookConfig
from alerting.dispatcher import dispatch_due
from alerting.incident_tick import incidents_tick
from alerting.pagerduty_webhook import sign, signatures, verify_signature
from alerting.pagerduty_webhook_api import pagerduty_webhook_router
from alerting.receivers import BuildContext, build_receivers
from alerting.receivers.pagerduty_event import dedup_key
from store.audit import audit_entries
from store.incidents import get_incident, open_incidents, timeline
from vigil.config import parse_config
from vigil.errors import ConfigError

SECRET = "pd-signing-secret-new"
OLD_SECRET = "pd-signing-secret-old"
ROUTING = """
route:
  receiver: pager
  group_by: [model]
  group_wait: 0s
receivers:
  - name: pager
    pagerduty_configs: [{routing_key: R0ut1ngK3yS3cr3t0000000000000000}]
"""
LABELS = {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "critical"}
AGENT = {
    "id": "PXPGF42",
    "type": "user_reference",
    "summary": "Earline Greenholt",
    "html_url": "https://acme.pagerduty.com/users/PXPGF42",
}


def event(
    event_type: str, incident_key: str, event_id: str = "01DEN4HPBQAAAG05V5QQS5ATDD"
) -> bytes:
    body = {
        "event": {
            "id": event_id,
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": "2026-03-02T09:05:00.000Z",
            "agent": AGENT,
            "client": None,
            "data": {
                "id": "PGR0VU2",
                "type": "incident",
                "self": "https://api.pagerduty.com/incidents/PGR0VU2",
                "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
                "number": 2,
                "status": event_type.removeprefix("incident."),
                "incident_key": incident_key,
                "title": "[FIRING:1] FeatureDrift on credit-risk",
                "service": {"id": "PF9KMXH", "type": "service_reference"},
            },
        }
    }
    return json.dumps(body).encode()


class Paged:
    """An incident whose alert Vigil sent to (a local) PagerDuty, and the webhook API."""

    def __init__(self, engine: Engine, t0: datetime, server: PagerDutyTestServer) -> None:
        self.engine, self.now = engine, t0
        _, router = router_from(ROUTING)
        config, _ = router_from(ROUTING)
        receivers = build_receivers(
            config.receivers, BuildContext(pagerduty_transport=server.transport())
        )
        fire(engine, LABELS, t0)
        tick(engine, router, receivers, t0)
        incidents_tick(engine, t0)
        assert dispatch_due(engine, receivers, t0, rng=random.Random(0)).sent == 1
        [self.incident] = open_incidents(engine)
        [trigger] = server.events
        self.incident_key = str(trigger["dedup_key"])  # what Vigil told PagerDuty
        app = FastAPI()
        settings = PagerDutyWebhookConfig(secrets=(SecretStr(SECRET), SecretStr(OLD_SECRET)))
        app.include_router(pagerduty_webhook_router(engine, settings, lambda: self.now))
        self.api = TestClient(app)

    def post(self, body: bytes, signature: str | None) -> Any:
        self.now += timedelta(minutes=1)
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-PagerDuty-Signature"] = signature
        return self.api.post("/v1/webhooks/pagerduty", content=body, headers=headers)


@pytest.fixture
def paged(engine: Engine, t0: datetime) -> Iterator[Paged]:
    server = PagerDutyTestServer()
    with server:
        yield Paged(engine, t0, server)


def test_signatures_are_v1_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"event":{}}'
    assert sign(body, "s3cret") == ("v1=" + hmac.new(b"s3cret", body, "sha256").hexdigest())
    assert signatures("v1=abc, v1=DEF,v0=zzz") == ["abc", "def"]
    assert verify_signature(body, f"v1=deadbeef,{sign(body, 'old')}", ["new", "old"])
    assert not verify_signature(body, sign(body + b" ", "new"), ["new"])
    assert not verify_signature(body, None, ["new"])


def test_an_acknowledgement_in_pagerduty_acknowledges_the_vigil_incident(
    engine: Engine, paged: Paged
) -> None:
    body = event("incident.acknowledged", paged.incident_key)
    answer = paged.post(body, sign(body, SECRET))
    assert answer.status_code == 200
    assert answer.json() == {
        "result": "applied",
        "detail": f"incident {paged.incident.id} acknowledged",
        "incident_id": paged.incident.id,
    }
    stored = get_incident(engine, paged.incident.id)
    assert stored is not None and stored.status == "acknowledged"
    [ack] = [e for e in timeline(engine, paged.incident.id) if e.kind == "acknowledged"]
    assert ack.actor == "pagerduty:Earline Greenholt"
    assert ack.data["pagerduty_incident"] == "PGR0VU2"
    assert ack.data["pagerduty_user"] == "PXPGF42"
    [entry] = [a for a in audit_entries(engine) if a.action == "incident.acknowledge"]
    assert entry.actor == "pagerduty:Earline Greenholt"

    # redelivered: nothing changes; then PagerDuty resolves it
    again = paged.post(body, sign(body, SECRET))
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    resolved = event("incident.resolved", paged.incident_key, "E2")
    assert paged.post(resolved, sign(resolved, SECRET)).json()["result"] == "applied"
    stored = get_incident(engine, paged.incident.id)
    assert stored is not None and stored.status == "resolved"
    assert stored.resolved_at == paged.now


def test_a_signature_with_the_previous_secret_is_accepted_during_rotation(
    engine: Engine, paged: Paged
) -> None:
    body = event("incident.acknowledged", paged.incident_key)
    header = f"v1={'0' * 64},{sign(body, OLD_SECRET)}"
    assert paged.post(body, header).json()["result"] == "applied"


@pytest.mark.parametrize(
    "signature",
    [None, "", "v1=" + "0" * 64, sign(b"another body", SECRET), sign(b"x", "wrong")[:10]],
    ids=["missing", "empty", "zeros", "signature of another body", "truncated"],
)
def test_an_invalid_signature_answers_401_and_changes_nothing(
    engine: Engine, paged: Paged, signature: str | None
) -> None:
    body = event("incident.acknowledged", paged.incident_key)
    before = timeline(engine, paged.incident.id)
    answer = paged.post(body, signature)
    assert answer.status_code == 401
    stored = get_incident(engine, paged.incident.id)
    assert stored is not None and stored.status == "triggered"
    assert timeline(engine, paged.incident.id) == before
    assert [a for a in audit_entries(engine) if a.action.startswith("incident.")] == []


def test_a_body_changed_after_signing_is_rejected(engine: Engine, paged: Paged) -> None:
    body = event("incident.resolved", paged.incident_key)
    tampered = body.replace(b"Earline", b"Mallory")
    assert paged.post(tampered, sign(body, SECRET)).status_code == 401
    stored = get_incident(engine, paged.incident.id)
    assert stored is not None and stored.status == "triggered"


@pytest.mark.parametrize(
    ("body", "result"),
    [
        (event("incident.triggered", "k"), "ignored"),
        (event("incident.acknowledged", "0" * 64), "ignored"),
        (json.dumps({"event": {"event_type": "pagey.ping", "data": {}}}).encode(), "ignored"),
    ],
    ids=["an event type not handled", "an unknown incident key", "a ping"],
)
def test_events_vigil_does_not_act_on_answer_200_and_change_nothing(
    engine: Engine, paged: Paged, body: bytes, result: str
) -> None:
    answer = paged.post(body, sign(body, SECRET))
    assert (answer.status_code, answer.json()["result"]) == (200, result)
    stored = get_incident(engine, paged.incident.id)
    assert stored is not None and stored.status == "triggered"


def test_a_signed_body_that_is_not_an_event_answers_400(engine: Engine, paged: Paged) -> None:
    for body in (b"not json", b'{"messages": []}'):
        assert paged.post(body, sign(body, SECRET)).status_code == 400


def test_without_configuration_the_endpoint_answers_404(engine: Engine, t0: datetime) -> None:
    app = FastAPI()
    app.include_router(pagerduty_webhook_router(engine, None, lambda: t0))
    body = b"{}"
    answer = TestClient(app).post(
        "/v1/webhooks/pagerduty", content=body, headers={"X-PagerDuty-Signature": sign(body, "x")}
    )
    assert answer.status_code == 404


def test_a_config_without_a_secret_fails_with_its_yaml_path() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_config("alerting:\n  pagerduty_webhook: {secrets: ['']}\n")
    assert [p for p, _ in failed.value.problems] == ["alerting.pagerduty_webhook.secrets"]


def test_a_pagerduty_incident_of_a_second_group_of_the_alert_maps_to_its_incident(
    engine: Engine, t0: datetime
) -> None:
    routing = """
route:
  receiver: audit
  group_by: [model]
  group_wait: 0s
  routes:
    - {receiver: audit, matchers: ['alertname=~".+"'], continue: true, group_by: [alertname]}
    - {receiver: pager, matchers: ['severity="critical"']}
receivers:
  - {name: audit, log_configs: [{path: audit.jsonl}]}
  - name: pager
    pagerduty_configs: [{routing_key: R0ut1ngK3yS3cr3t0000000000000000}]
"""
    config, router = router_from(routing)
    server = PagerDutyTestServer()
    with server:
        receivers: dict[str, Any] = dict(
            build_receivers(config.receivers, BuildContext(pagerduty_transport=server.transport()))
        )
        receivers["audit"] = {"log[0]": Recorder()}
        fire(engine, LABELS, t0)
        tick(engine, router, receivers, t0)
        incidents_tick(engine, t0)
        dispatch_due(engine, receivers, t0, rng=random.Random(0))
        [incident] = open_incidents(engine)
        [trigger] = server.events
    assert trigger["dedup_key"] != dedup_key(incident.group_key)  # paged for the other group
    app = FastAPI()
    settings = PagerDutyWebhookConfig(secrets=(SecretStr(SECRET),))
    app.include_router(
        pagerduty_webhook_router(engine, settings, lambda: t0 + timedelta(minutes=3))
    )
    body = event("incident.acknowledged", str(trigger["dedup_key"]))
    answer = TestClient(app).post(
        "/v1/webhooks/pagerduty",
        content=body,
        headers={"X-PagerDuty-Signature": sign(body, SECRET)},
    )
    assert answer.json()["incident_id"] == incident.id
    stored = get_incident(engine, incident.id)
    assert stored is not None and stored.status == "acknowledged"
