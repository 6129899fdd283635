"""The notification payload, the pipeline's end of a flush, and the outbox table."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from alert_router_kit import Recorder, alert
from sqlalchemy import Engine

from alerting.config import Route
from alerting.mute_stages import FlushContext
from alerting.payload import payload
from alerting.pipeline import build_pipeline
from alerting.routing import compile_route
from store.notifications import (
    NewNotification,
    count_by_status,
    due,
    enqueue,
    list_notifications,
    mark_dead,
    mark_failed_retry,
    mark_sent,
)


def test_the_payload_lists_firing_alerts_first_with_the_labels_they_share(t0: datetime) -> None:
    alerts = [
        alert(
            {"alertname": "FeatureDrift", "model": "credit-risk", "severity": "critical"},
            t0,
            "resolved",
        ),
        alert({"alertname": "FeatureDrift", "model": "churn", "severity": "critical"}, t0),
    ]
    body = payload("ml-oncall", "g", {"alertname": "FeatureDrift"}, alerts)
    assert body["status"] == "firing"
    assert [(a["status"], a["labels"]["model"]) for a in body["alerts"]] == [
        ("firing", "churn"),
        ("resolved", "credit-risk"),
    ]
    assert body["common_labels"] == {"alertname": "FeatureDrift", "severity": "critical"}
    assert body["group_labels"] == {"alertname": "FeatureDrift"}
    assert body["alerts"][1]["ends_at"] == (t0 + timedelta(minutes=30)).isoformat()
    only_resolved = payload("ml-oncall", "g", {}, alerts[:1])
    assert only_resolved["status"] == "resolved"


def test_a_route_to_an_unknown_receiver_is_logged_not_dropped_silently(
    t0: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    route = compile_route(Route(receiver="pager"))
    pipeline = build_pipeline((), (), {}, (), {"ml-oncall": {"log[0]": Recorder()}})
    ctx = FlushContext(t0, "{}:{}", {}, route)
    with caplog.at_level(logging.ERROR, logger="alerting.pipeline"):
        [outcome] = pipeline.flush(ctx, [alert({"alertname": "X"}, t0)], {}, set())
    assert outcome.reason == "unknown receiver 'pager'"
    assert outcome.notification is None
    assert "unknown receiver 'pager'" in caplog.text


def test_the_outbox_lifecycle(engine: Engine, t0: datetime) -> None:
    payload = {"status": "firing", "alerts": [{"labels": {"model": "credit-risk"}, "v": [0.5]}]}
    first, second, third = enqueue(
        engine,
        [NewNotification("ml-oncall", f"log[{i}]", "g", "firing", payload) for i in range(3)],
        t0,
    )
    assert due(engine, t0 - timedelta(seconds=1)) == []
    assert [n.id for n in due(engine, t0)] == [first, second, third]
    assert due(engine, t0)[0].payload == payload

    mark_failed_retry(engine, first, t0 + timedelta(seconds=30), "Slack answered HTTP 429")
    mark_sent(engine, second, t0, {"ts": "1.2"})
    mark_dead(engine, third, t0, "channel_not_found")
    assert due(engine, t0 + timedelta(seconds=29)) == []
    [retry] = due(engine, t0 + timedelta(seconds=30))
    assert (retry.id, retry.attempts, retry.last_error) == (first, 1, "Slack answered HTTP 429")
    [sent] = list_notifications(engine, "sent")
    assert (sent.id, sent.response, sent.sent_at, sent.attempts) == (second, {"ts": "1.2"}, t0, 1)
    assert count_by_status(engine) == {"pending": 1, "sent": 1, "dead": 1}
