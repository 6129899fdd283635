"""The log-file integration appends one fsynced JSON line per notification."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from alerting.config import LogConfig
from alerting.receivers.log import LogNotifier
from store.notifications import NotificationRecord


def notification(i: int, kind: str, t0: datetime) -> NotificationRecord:
    payload = {"status": kind, "alerts": [{"labels": {"alertname": "FeatureDrift"}}]}
    return NotificationRecord(
        id=i,
        receiver="audit",
        integration="log[0]",
        group_key="{}:{}",
        kind=kind,
        payload=payload,
        status="pending",
        attempts=0,
        next_attempt_at=t0,
        last_error=None,
        response=None,
        created_at=t0 + timedelta(minutes=i),
        sent_at=None,
    )


def test_each_notification_is_one_json_line_appended(tmp_path: Path, t0: datetime) -> None:
    path = tmp_path / "logs" / "alerts.jsonl"
    notifier = LogNotifier(LogConfig(path="ignored.jsonl"), path)
    results = [
        notifier.send(notification(1, "firing", t0)),
        notifier.send(notification(2, "resolved", t0)),
    ]
    assert [r.outcome for r in results] == ["ok", "ok"]
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(line["id"], line["kind"], line["payload"]["status"]) for line in lines] == [
        (1, "firing", "firing"),
        (2, "resolved", "resolved"),
    ]
    assert lines[0]["created_at"] == (t0 + timedelta(minutes=1)).isoformat()
    assert lines[0]["payload"]["alerts"][0]["labels"]["alertname"] == "FeatureDrift"


def test_a_path_that_is_a_directory_fails_permanently(tmp_path: Path, t0: datetime) -> None:
    result = LogNotifier(LogConfig(path=str(tmp_path)), tmp_path).send(
        notification(1, "firing", t0)
    )
    assert result.outcome == "permanent"
    assert str(tmp_path) in (result.error or "")


def test_send_resolved_comes_from_the_config() -> None:
    assert LogNotifier(LogConfig(path="a.jsonl", send_resolved=False)).send_resolved is False
    assert LogNotifier(LogConfig(path="a.jsonl")).path == Path("a.jsonl")
