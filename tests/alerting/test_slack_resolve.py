"""A resolved group edits its Slack firing post and replies in its thread, through the real
slack_sdk client against a local Slack server."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alert_payloads import firing_payload, notification
from pydantic import SecretStr
from sqlalchemy import Engine

from alerting.config import SlackConfig
from alerting.dispatcher import dispatch_due
from alerting.receivers.slack import SlackNotifier
from alerting.receivers.slack_resolved import resolved_at, resolved_reply, resolved_update
from store.notifications import (
    NewNotification,
    enqueue,
    last_sent_response,
    list_notifications,
    mark_dead,
    mark_sent,
)
from vigil.demo.slack_sink import SlackTestServer

GOLDEN = Path(__file__).parent / "golden"
RESOLVED_AT = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def notifier(url: str) -> SlackNotifier:
    return SlackNotifier(
        SlackConfig(channel="#ml-oncall", token=SecretStr("xoxb-t"), api_url=url), timeout=5
    )


def test_the_resolved_update_and_thread_reply_match_their_golden_file() -> None:
    payload = firing_payload("resolved")
    at = resolved_at(payload)
    assert at == RESOLVED_AT
    messages = {"update": resolved_update(payload, at), "reply": resolved_reply(payload, at)}
    golden = GOLDEN / "slack_resolved_update.json"
    if os.environ.get("VIGIL_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(messages, indent=2, ensure_ascii=False) + "\n")
    assert messages == json.loads(golden.read_text())


def test_a_resolved_group_edits_the_firing_post_and_replies_in_its_thread(
    slack_server: SlackTestServer, t0: datetime
) -> None:
    slack = notifier(slack_server.url)
    fired = slack.send(notification(firing_payload(), t0))
    resolved = notification(firing_payload("resolved"), t0, id=2)
    result = slack.send_follow_up(resolved, fired.response)
    assert result.outcome == "ok"
    ts = fired.response["ts"]
    [update] = slack_server.updates
    expected = resolved_update(resolved.payload, RESOLVED_AT)
    assert (update["channel"], update["ts"]) == ("#ml-oncall", ts)
    assert (update["text"], update["blocks"]) == (expected["text"], expected["blocks"])
    [reply] = slack_server.thread(ts)
    assert reply["channel"] == "#ml-oncall"
    assert reply["text"].startswith(":white_check_mark: Resolved at 2026-03-02 11:00 UTC")
    assert result.response == {
        "channel": "#ml-oncall",
        "ts": ts,
        "reply_ts": "1772442002.000002",
        "updated": True,
    }


@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(None, id="no firing post is known"),
        pytest.param({}, id="the firing post was recorded without a ts"),
        pytest.param(
            {"channel": "#ml-oncall", "ts": "1.000001"}, id="Slack no longer has the firing post"
        ),
    ],
)
def test_without_a_post_to_edit_the_resolution_is_a_new_message(
    slack_server: SlackTestServer, t0: datetime, earlier: dict[str, Any] | None
) -> None:
    result = notifier(slack_server.url).send_follow_up(
        notification(firing_payload("resolved"), t0), earlier
    )
    assert result.outcome == "ok"
    assert slack_server.updates == []
    [message] = slack_server.messages
    assert "thread_ts" not in message
    assert message["blocks"][0]["text"]["text"].startswith("[RESOLVED]")


def test_a_failed_reply_is_retryable_and_the_retry_edits_again_and_replies_once(
    slack_server: SlackTestServer, t0: datetime
) -> None:
    slack = notifier(slack_server.url)
    fired = slack.send(notification(firing_payload(), t0))
    resolved = notification(firing_payload("resolved"), t0, id=2)
    slack_server.fail_next(1, 200, error="ratelimited", method="chat.postMessage")
    assert slack.send_follow_up(resolved, fired.response).outcome == "retryable"
    resolved_ok = slack.send_follow_up(resolved, fired.response)
    assert resolved_ok.outcome == "ok"
    assert len(slack_server.updates) == 2
    assert len(slack_server.thread(fired.response["ts"])) == 1


def test_a_permanent_update_failure_other_than_a_missing_post_is_permanent(
    slack_server: SlackTestServer, t0: datetime
) -> None:
    slack = notifier(slack_server.url)
    fired = slack.send(notification(firing_payload(), t0))
    slack_server.fail_next(1, 200, error="not_authed")
    result = slack.send_follow_up(notification(firing_payload("resolved"), t0), fired.response)
    assert result.outcome == "permanent"
    assert slack_server.thread(fired.response["ts"]) == []


def test_the_dispatcher_hands_slack_the_recorded_firing_post(
    sqlite_engine: Engine, slack_server: SlackTestServer, t0: datetime
) -> None:
    receivers = {"ml-oncall": {"slack[0]": notifier(slack_server.url)}}
    firing, resolved = firing_payload(), firing_payload("resolved")
    key = firing["group_key"]
    enqueue(sqlite_engine, [NewNotification("ml-oncall", "slack[0]", key, "firing", firing)], t0)
    assert dispatch_due(sqlite_engine, receivers, t0, rng=random.Random(1)).sent == 1
    later = t0 + timedelta(hours=2)
    row = NewNotification("ml-oncall", "slack[0]", key, "resolved", resolved)
    enqueue(sqlite_engine, [row], later)
    assert dispatch_due(sqlite_engine, receivers, later, rng=random.Random(1)).sent == 1
    [post] = slack_server.messages[:1]
    [update] = slack_server.updates
    assert update["ts"] == "1772442001.000001" and "thread_ts" not in post
    assert len(slack_server.thread("1772442001.000001")) == 1
    assert [
        n.response["ts"] if n.response else None for n in list_notifications(sqlite_engine)
    ] == [
        "1772442001.000001",
        "1772442001.000001",
    ]


@pytest.mark.parametrize(
    ("receiver", "integration", "group_key", "kind", "status", "found"),
    [
        pytest.param("r", "slack[0]", "g", "firing", "sent", True, id="the group's sent firing"),
        pytest.param("r", "slack[1]", "g", "firing", "sent", False, id="another integration"),
        pytest.param("other", "slack[0]", "g", "firing", "sent", False, id="another receiver"),
        pytest.param("r", "slack[0]", "h", "firing", "sent", False, id="another group"),
        pytest.param("r", "slack[0]", "g", "resolved", "sent", False, id="a resolved post"),
        pytest.param("r", "slack[0]", "g", "firing", "dead", False, id="a firing never sent"),
    ],
)
def test_only_the_same_integrations_sent_firing_post_is_followed_up(
    sqlite_engine: Engine,
    t0: datetime,
    receiver: str,
    integration: str,
    group_key: str,
    kind: str,
    status: str,
    found: bool,
) -> None:
    payload = firing_payload()
    item = NewNotification(receiver, integration, group_key, kind, payload)  # type: ignore[arg-type]
    [row] = enqueue(sqlite_engine, [item], t0)
    if status == "sent":
        mark_sent(sqlite_engine, row, t0, {"channel": "C1", "ts": "1.1"})
    else:
        mark_dead(sqlite_engine, row, t0, "gone")
    answer = last_sent_response(sqlite_engine, "r", "slack[0]", "g", before_id=row + 1)
    assert answer == ({"channel": "C1", "ts": "1.1"} if found else None)
