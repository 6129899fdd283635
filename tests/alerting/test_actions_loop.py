"""The guarded-action loop end to end, with a simulated clock, on SQLite and PostgreSQL.

drift alert → incident → guards → approval through the API → rollback webhook received by
a local HTTP server (its Standard Webhooks signature checked with the ``standardwebhooks``
package) → the alert resolves → the incident is mitigated. Then: a second alert of the same
incident does not roll back twice, the cooldown holds across a restart (new objects on the
same database), and a failing endpoint is retried and then escalated.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from alert_http_sinks import WebhookTestServer
from alert_router_kit import Recorder, end, router_from, tick
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from standardwebhooks.webhooks import Webhook

from alerting.action_guards import History, blocked_by
from alerting.action_tick import actions_tick
from alerting.action_webhook import ActionSender
from alerting.actions_api import actions_router
from alerting.config import AlertingConfig
from alerting.config.actions import ActionsConfig, action_reference_problems
from alerting.incident_tick import incidents_tick
from store.actions import actions_in
from store.alerts import AlertRecord, open_alerts, upsert_firing
from store.audit import audit_entries
from store.incidents import get_incident, timeline

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ROUTING = """
route:
  receiver: oncall
  group_by: [model]
  group_wait: 0s
receivers:
  - name: oncall
"""
DRIFT = {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "critical"}
PERF = {"alertname": "AccuracyDrop", "model": "credit-risk", "severity": "critical"}


def actions_config(url: str, **policy: Any) -> ActionsConfig:
    text = f"""
max_attempts: 3
retry_backoff: 1m
webhooks:
  - {{name: deployer, url: "{url}/rollback", secret: {SECRET}}}
policies:
  - name: rollback-credit
    matchers: ['model="credit-risk"']
    action: rollback
    webhook: deployer
    mode: approval
    min_severity: warning
    min_sample_size: 200
    cooldown: 6h
    max_per_day: 2
    for: 5m
    verify_for: 30m
"""
    raw = yaml.safe_load(text)
    raw["policies"][0].update(policy)
    return ActionsConfig.model_validate(raw)


def drift(engine: Engine, labels: dict[str, str], at: datetime, size: int = 500) -> AlertRecord:
    notes = {
        "summary": f"{labels['alertname']} on credit-risk",
        "subjects": [{"subject": "income", "window_end": at.isoformat(), "sample_size": size}],
    }
    return upsert_firing(engine, labels, notes, at, at)[0]


def require_scope(scope: str) -> Any:
    def dependency(authorization: str | None = Header(default=None)) -> str:
        if authorization != "Bearer ops-key" or scope not in ("read", "operate"):
            raise HTTPException(status_code=403, detail="forbidden")
        return "ana"

    return dependency


class Loop:
    """Router, incidents and actions ticks at a simulated ``now``, over one database."""

    def __init__(self, engine: Engine, config: ActionsConfig, now: datetime) -> None:
        self.engine, self.config, self.now = engine, config, now
        _, self.router = router_from(ROUTING)
        self.sender = ActionSender()
        self.runbooks = lambda name: f"https://runbooks.example/{name}"

    def step(self, seconds: float) -> Any:
        self.now += timedelta(seconds=seconds)
        tick(self.engine, self.router, {"oncall": {"log[0]": Recorder()}}, self.now)
        incidents_tick(self.engine, self.now)
        return actions_tick(self.engine, self.config, self.sender, self.runbooks, self.now)


@pytest.fixture
def hook() -> Iterator[WebhookTestServer]:
    with WebhookTestServer() as server:
        yield server


def verify_with_library(body: bytes, headers: dict[str, str]) -> None:
    sent = datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC)
    expected = Webhook(SECRET).sign(headers["webhook-id"], sent, body.decode())
    assert headers["webhook-signature"] == expected


def test_a_drift_alert_is_rolled_back_once_after_approval_and_mitigates_its_incident(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    loop = Loop(engine, actions_config(hook.url), t0)
    alert = drift(engine, DRIFT, t0)
    assert loop.step(60).requested == []  # not firing for 5 minutes yet
    [action_id] = loop.step(300).requested
    assert hook.requests == []  # waits for approval
    app = FastAPI()
    app.include_router(actions_router(engine, require_scope, lambda: loop.now))
    with TestClient(app) as api:
        ok = api.post(
            f"/v1/actions/{action_id}/approve",
            json={"reason": "drift confirmed"},
            headers={"Authorization": "Bearer ops-key"},
        )
        assert (ok.status_code, ok.json()["status"]) == (200, "pending")
        again = api.post(
            f"/v1/actions/{action_id}/approve", headers={"Authorization": "Bearer ops-key"}
        )
        assert again.status_code == 409
    assert loop.step(10).sent == [action_id]
    [request] = hook.requests
    verify_with_library(request.body, request.headers)
    body = request.json()
    assert (body["action"], body["model"], body["approved_by"]) == (
        "rollback",
        "credit-risk",
        "ana",
    )
    assert request.headers["webhook-id"] == f"vigil-action-{action_id}"

    drift(engine, PERF, loop.now)  # a second alert joins the same incident
    assert loop.step(400).requested == []
    end(engine, DRIFT, loop.now)
    assert loop.step(10).verified == [action_id]
    incident = get_incident(engine, actions_in(engine)[0].incident_id)
    assert incident is not None and incident.status == "mitigated"
    kinds = [e.kind for e in timeline(engine, incident.id)]
    assert kinds[:2] == ["alert_fired", "action_requested"]
    assert [k for k in kinds if k in ("action_approved", "action_executed")] == [
        "action_approved",
        "action_executed",
    ]
    assert kinds[-2:] == ["action_verified", "mitigated"]
    assert len(hook.requests) == 1 and alert.id == actions_in(engine)[0].alert_id
    assert [a.action for a in audit_entries(engine)] == [
        "action.request",
        "action.approve",
        "action.execute",
        "action.verify",
    ]


def test_the_cooldown_holds_across_a_restart(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    first = Loop(engine, actions_config(hook.url, mode="auto", **{"for": "0s"}), t0)
    drift(engine, DRIFT, t0)
    assert len(first.step(1).requested) == 1
    end(engine, DRIFT, first.now)
    first.step(60)
    restarted = Loop(engine, actions_config(hook.url, mode="auto", **{"for": "0s"}), first.now)
    drift(engine, DRIFT, restarted.now + timedelta(minutes=5))
    assert restarted.step(600).requested == []  # a new incident, but the model cooled down 6h
    assert len(hook.requests) == 1
    assert len(restarted.step(6 * 3600).requested) == 1


def test_a_failing_endpoint_is_retried_then_escalated(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    loop = Loop(engine, actions_config(hook.url, mode="auto", **{"for": "0s"}), t0)
    hook.down(503)
    drift(engine, DRIFT, t0)
    report = loop.step(1)
    assert report.requested and report.sent == []
    loop.step(30)  # the first retry is due a minute after the first attempt
    assert len(hook.requests) == 1
    loop.step(30)
    loop.step(120)
    [action] = actions_in(engine)
    assert (action.status, action.attempts, len(hook.requests)) == ("failed", 3, 3)
    assert "503" in (action.last_error or "")
    failed = [a for a in open_alerts(engine) if a.alertname == "ActionFailed"]
    assert [a.annotations["runbook_url"] for a in failed] == [
        "https://runbooks.example/action-failed"
    ]
    kinds = [e.kind for e in timeline(engine, action.incident_id)]
    assert "action_failed" in kinds


def test_an_action_that_does_not_resolve_the_alert_is_escalated(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    loop = Loop(engine, actions_config(hook.url, mode="auto", **{"for": "0s"}), t0)
    drift(engine, DRIFT, t0)
    [action_id] = loop.step(1).sent
    assert loop.step(1800).not_effective == [action_id]
    assert any(a.alertname == "VigilActionNotEffective" for a in open_alerts(engine))
    kinds = [e.kind for e in timeline(engine, actions_in(engine)[0].incident_id)]
    assert "verification_failed" in kinds


def test_a_dry_run_is_recorded_and_never_sent(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    loop = Loop(engine, actions_config(hook.url, mode="dry_run", **{"for": "0s"}), t0)
    drift(engine, DRIFT, t0)
    loop.step(1)
    loop.step(60)
    assert [a.status for a in actions_in(engine)] == ["dry_run"]
    assert hook.requests == []


@pytest.mark.parametrize(
    ("changes", "size", "history", "reason"),
    [
        pytest.param(
            {"min_severity": "critical"},
            500,
            History(None, 0),
            "severity",
            id="a warning alert does not pass a critical guard",
        ),
        pytest.param(
            {}, 50, History(None, 0), "sample size", id="too few samples block the action"
        ),
        pytest.param(
            {}, 500, History(None, 2), "daily cap", id="the daily cap blocks a third action"
        ),
        pytest.param(
            {},
            500,
            History(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 1),
            "cooldown",
            id="a recent action blocks the next",
        ),
    ],
)
def test_guards_block_with_a_reason(
    t0: datetime, changes: dict[str, Any], size: int, history: History, reason: str
) -> None:
    policy = actions_config("http://x", **{"for": "0s", **changes}).policies[0]
    notes = {"subjects": [{"sample_size": size}]}
    alert = AlertRecord(
        1, "f", "FeatureDrift", {**DRIFT, "severity": "warning"}, notes, "firing", t0, None, t0
    )
    assert any(reason in r for r in blocked_by(policy, alert, history, t0))


def test_a_policy_naming_an_unknown_webhook_is_reported_with_its_yaml_path() -> None:
    config = AlertingConfig.model_validate(
        {
            "actions": {
                "policies": [
                    {"name": "p", "matchers": ['model="m"'], "action": "retrain", "webhook": "nope"}
                ]
            }
        }
    )
    assert action_reference_problems(config.actions) == [
        ("alerting.actions.policies[0].webhook", "unknown webhook 'nope'")
    ]


def test_a_second_alert_of_the_same_incident_does_not_roll_back_twice_even_without_cooldown(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    config = actions_config(hook.url, mode="auto", cooldown="0s", **{"for": "0s"})
    loop = Loop(engine, config, t0)
    drift(engine, DRIFT, t0)
    assert len(loop.step(1).sent) == 1
    drift(engine, PERF, loop.now)
    assert loop.step(1).requested == []
    assert len(actions_in(engine)) == len(hook.requests) == 1


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        pytest.param(
            "/v1/actions/999/approve", "Bearer ops-key", 404, id="an unknown action is 404"
        ),
        pytest.param(
            "/v1/actions/{id}/approve", "Bearer dash-key", 403, id="a read key cannot approve"
        ),
        pytest.param("/v1/actions/{id}/reject", "Bearer ops-key", 200, id="an operator can reject"),
    ],
)
def test_action_decisions_check_the_caller_and_the_action(
    engine: Engine, t0: datetime, hook: WebhookTestServer, path: str, headers: str, status: int
) -> None:
    loop = Loop(engine, actions_config(hook.url, **{"for": "0s"}), t0)
    drift(engine, DRIFT, t0)
    [action_id] = loop.step(1).requested
    app = FastAPI()
    app.include_router(actions_router(engine, require_scope, lambda: loop.now))
    with TestClient(app) as api:
        answer = api.post(path.format(id=action_id), headers={"Authorization": headers})
    assert answer.status_code == status
    expected = "rejected" if status == 200 else "awaiting_approval"
    assert [a.status for a in actions_in(engine)] == [expected]
    loop.step(60)
    assert hook.requests == []


def test_the_action_failed_alert_resolves_with_its_triggering_alert_and_the_incident_too(
    engine: Engine, t0: datetime, hook: WebhookTestServer
) -> None:
    loop = Loop(engine, actions_config(hook.url, mode="auto", **{"for": "0s"}), t0)
    hook.fail_next(1, 404)
    drift(engine, DRIFT, t0)
    loop.step(1)
    assert [a.alertname for a in open_alerts(engine)] == ["ActionFailed", "FeatureDrift"]
    end(engine, DRIFT, loop.now)
    loop.step(1)
    assert open_alerts(engine) == []
    loop.step(1)
    incident = get_incident(engine, actions_in(engine)[0].incident_id)
    assert incident is not None and incident.status == "resolved"
