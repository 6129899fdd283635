"""The PagerDuty integration, through the real ``pagerduty.EventsApiV2Client`` against a
local Events API on 127.0.0.1 (its ``https://events.pagerduty.com`` requests are routed
there by an ``httpx2`` transport)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
from datetime import datetime
from pathlib import Path

import pytest
from alert_http_sinks import LocalTransport, PagerDutyTestServer
from alert_payloads import RUNBOOK, firing_payload, notification
from pydantic import SecretStr

from alerting.config import PagerDutyConfig
from alerting.receivers.pagerduty import PagerDutyNotifier
from alerting.receivers.pagerduty_event import trigger_event

GOLDEN = Path(__file__).parent / "golden"
KEY = "R0ut1ngK3yS3cr3t0000000000000000"
GROUP_KEY = '{}:{alertname="FeatureDrift"}'


@pytest.fixture
def pagerduty() -> PagerDutyTestServer:
    with PagerDutyTestServer() as server:
        yield server  # type: ignore[misc]


def notifier(transport: LocalTransport, **fields: object) -> PagerDutyNotifier:
    config = PagerDutyConfig.model_validate({"routing_key": KEY, **fields})
    return PagerDutyNotifier(config, timeout=5, transport=transport)


def test_the_trigger_event_matches_its_golden_file() -> None:
    config = PagerDutyConfig(routing_key=SecretStr(KEY), details={"team_channel": "#ml-oncall"})
    event = trigger_event(config, firing_payload())
    golden = GOLDEN / "pagerduty_trigger.json"
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
    assert event == json.loads(golden.read_text())


def test_a_group_triggers_then_resolves_one_pagerduty_alert(
    pagerduty: PagerDutyTestServer, t0: datetime
) -> None:
    pd = notifier(pagerduty.transport())
    fired = pd.send(notification(firing_payload(), t0, "pagerduty[0]"))
    resolved = pd.send(notification(firing_payload("resolved"), t0, "pagerduty[0]"))
    key = hashlib.sha256(GROUP_KEY.encode()).hexdigest()
    assert fired.response == {"action": "trigger", "dedup_key": key}
    assert resolved.response == {"action": "resolve", "dedup_key": key}
    trigger, resolve = pagerduty.events
    assert (trigger["event_action"], trigger["routing_key"], trigger["dedup_key"]) == (
        "trigger",
        KEY,
        key,
    )
    event = trigger["payload"]
    assert event["summary"] == "[FIRING:1] FeatureDrift: Drift on credit-risk: income, age"
    assert (event["severity"], event["source"]) == ("critical", "credit-risk")
    assert event["custom_details"]["alerts"][0]["subjects"][0]["subject"] == "income"
    assert {"href": RUNBOOK, "text": "Runbook"} in trigger["links"]
    assert resolve == {"event_action": "resolve", "dedup_key": key, "routing_key": KEY}
    assert {r.path for r in pagerduty.requests} == {"/v2/enqueue"}


@pytest.mark.parametrize(
    ("status", "retry_after", "outcome", "wait"),
    [
        pytest.param(429, 30, "retryable", 30, id="429 is retryable after Retry-After"),
        pytest.param(503, None, "retryable", None, id="503 is retryable"),
        pytest.param(500, None, "retryable", None, id="500 is retryable"),
        pytest.param(400, None, "permanent", None, id="an invalid event is permanent"),
        pytest.param(401, None, "permanent", None, id="a bad routing key is permanent"),
    ],
)
def test_failures_come_back_at_once_classified_without_the_key(
    pagerduty: PagerDutyTestServer,
    t0: datetime,
    status: int,
    retry_after: int | None,
    outcome: str,
    wait: int | None,
) -> None:
    pagerduty.fail_next(1, status, retry_after=retry_after)
    result = notifier(pagerduty.transport()).send(
        notification(firing_payload(), t0, "pagerduty[0]")
    )
    assert result.outcome == outcome
    assert (result.retry_after.total_seconds() if result.retry_after else None) == wait
    assert len(pagerduty.requests) == 1  # the client did not retry (or sleep) by itself
    assert KEY not in (result.error or "")
    assert pagerduty.events == []


def test_an_unreachable_events_api_is_retryable(t0: datetime) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = notifier(LocalTransport(port)).send(notification(firing_payload(), t0, "pagerduty[0]"))
    assert result.outcome == "retryable"
    assert result.error == "cannot reach PagerDuty: ConnectError"


def test_the_configured_severity_and_source_win_over_the_labels(
    pagerduty: PagerDutyTestServer, t0: datetime
) -> None:
    pd = notifier(pagerduty.transport(), severity="warning", source="scoring-cluster-eu")
    pd.send(notification(firing_payload(), t0, "pagerduty[0]"))
    [trigger] = pagerduty.events
    assert (trigger["payload"]["severity"], trigger["payload"]["source"]) == (
        "warning",
        "scoring-cluster-eu",
    )
