"""The Slack integration, through the real slack_sdk client against a local Slack server."""

from __future__ import annotations

import json
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alert_payloads import RUNBOOK, firing_payload, notification
from pydantic import SecretStr

from alerting.config import SlackConfig
from alerting.receivers.slack import SlackNotifier
from alerting.receivers.slack_message import silence_url, slack_message
from vigil.demo.slack_sink import SlackTestServer

GOLDEN = Path(__file__).parent / "golden"
TOKEN = "xoxb-test-secret-token"


def notifier(url: str) -> SlackNotifier:
    return SlackNotifier(
        SlackConfig(channel="#ml-oncall", token=SecretStr(TOKEN), api_url=url), timeout=5
    )


@pytest.mark.parametrize("status", ["firing", "resolved"])
def test_the_slack_message_matches_its_golden_file(status: str) -> None:
    message = slack_message(firing_payload(status))
    golden = GOLDEN / f"slack_{status}.json"
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(message, indent=2, ensure_ascii=False) + "\n")
    assert message == json.loads(golden.read_text())


def test_a_file_runbook_link_stays_in_the_text_without_a_button() -> None:
    payload = firing_payload()
    payload["alerts"][0]["annotations"]["runbook_url"] = "file:///srv/runbooks/feature-drift.md"
    message = slack_message(payload)
    buttons = [
        e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["dashboard", "silence"]
    assert "file:///srv/runbooks/feature-drift.md" in message["text"]


def test_the_message_reaches_slack_with_the_subjects_and_the_runbook(
    slack_server: SlackTestServer, t0: datetime
) -> None:
    result = notifier(slack_server.url).send(notification(firing_payload(), t0))
    assert result.outcome == "ok"
    [message] = slack_server.messages
    assert result.response == {"channel": "#ml-oncall", "ts": "1772442001.000001"}
    assert message["channel"] == "#ml-oncall"
    assert RUNBOOK in message["text"]
    blocks = json.dumps(message["blocks"])
    assert "`income`" in blocks and "`age`" in blocks and "*0.6123* vs threshold 0.2" in blocks
    assert f'"url": "{RUNBOOK}"' in blocks
    assert slack_server.requests[0].token == TOKEN


@pytest.mark.parametrize(
    ("status", "retry_after", "error", "outcome", "wait"),
    [
        pytest.param(429, 30, None, "retryable", 30, id="429 is retryable after Retry-After"),
        pytest.param(503, None, None, "retryable", None, id="5xx with an HTML body is retryable"),
        pytest.param(
            200, None, "channel_not_found", "permanent", None, id="an unknown channel is permanent"
        ),
        pytest.param(
            200, None, "internal_error", "retryable", None, id="a Slack internal_error is retryable"
        ),
        pytest.param(403, None, "invalid_auth", "permanent", None, id="a bad token is permanent"),
    ],
)
def test_slack_failures_are_classified(
    slack_server: SlackTestServer,
    t0: datetime,
    status: int,
    retry_after: int | None,
    error: str | None,
    outcome: str,
    wait: int | None,
) -> None:
    slack_server.fail_next(1, status, retry_after=retry_after, error=error)
    result = notifier(slack_server.url).send(notification(firing_payload(), t0))
    assert result.outcome == outcome
    assert (result.retry_after.total_seconds() if result.retry_after else None) == wait
    assert TOKEN not in (result.error or "")
    assert slack_server.messages == []


def test_an_unreachable_slack_is_retryable_and_the_error_has_no_token(t0: datetime) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = notifier(f"http://127.0.0.1:{port}/api/").send(notification(firing_payload(), t0))
    assert result.outcome == "retryable"
    assert "cannot reach Slack" in (result.error or "")
    assert TOKEN not in (result.error or "")


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        pytest.param(
            {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "critical"},
            "https://dash.example/silences?matchers=alertname%3D%22FeatureDrift%22"
            "&matchers=model%3D%22credit-risk%22",
            id="alertname and model are prefilled, other labels are not",
        ),
        pytest.param(
            {"alertname": 'Odd "name"'},
            "https://dash.example/silences?matchers=alertname%3D%22Odd+%5C%22name%5C%22%22",
            id="quotes in a value are escaped as a matcher, then URL-encoded",
        ),
        pytest.param({"severity": "critical"}, None, id="a group sharing neither label gets none"),
    ],
)
def test_the_silence_link_prefills_the_group_s_common_labels(
    labels: dict[str, str], expected: str | None
) -> None:
    assert silence_url("https://dash.example/", labels) == expected


def test_a_resolved_group_or_a_non_web_dashboard_gets_no_silence_button() -> None:
    def action_ids(payload: dict[str, Any]) -> list[str]:
        message = slack_message(payload)
        return [
            e["action_id"]
            for b in message["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]

    assert action_ids(firing_payload("resolved")) == ["runbook", "dashboard"]
    payload = firing_payload()
    payload["alerts"][0]["annotations"]["dashboard_url"] = "file:///srv/dash"
    assert action_ids(payload) == ["runbook"]
