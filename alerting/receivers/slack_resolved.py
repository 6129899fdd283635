"""The Slack messages for a resolved group: the edit of the firing post and the thread reply.

When a group resolves, its firing message is edited (``chat.update``) to show the group
resolved, so a channel scrolled later does not show a red page that is over, and a reply in
the message's thread says when it resolved, so everyone who followed the thread is told. Both
are pure functions of the outbox payload, golden-tested like :mod:`slack_message`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from alerting.receivers.slack_message import slack_message


def resolved_at(payload: Mapping[str, Any]) -> datetime | None:
    """When the group resolved: the latest ``ends_at`` of its alerts, or None if none has one."""
    ends: list[datetime] = []
    for alert in payload.get("alerts", []):
        text = alert.get("ends_at")
        if not isinstance(text, str):
            continue
        try:
            end = datetime.fromisoformat(text)
        except ValueError:
            continue
        ends.append(end if end.tzinfo else end.replace(tzinfo=UTC))
    return max(ends) if ends else None


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def resolved_update(payload: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """``text`` and ``blocks`` for ``chat.update`` of the firing message, showing it resolved."""
    message = slack_message(payload)
    note = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f":white_check_mark: Resolved at {_when(at)}"}],
    }
    blocks = [message["blocks"][0], note, *message["blocks"][1:]]
    return {"text": message["text"], "blocks": blocks}


def resolved_reply(payload: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """``text`` and ``blocks`` for the thread reply saying the group resolved, and when."""
    title = slack_message(payload)["text"].split("\n", 1)[0]  # the escaped title
    text = f":white_check_mark: Resolved at {_when(at)}: {title}"
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
