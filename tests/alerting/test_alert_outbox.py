"""Grouping transitions into notifications, and the outbox table on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import yaml
from sqlalchemy import Engine

from alerting.config import Route
from alerting.outbox import group_transitions, notifications_for
from alerting.receivers import DeliveryResult
from alerting.routing import CompiledRoute, compile_route
from store.alerts import AlertRecord, fingerprint
from store.notifications import (
    NewNotification,
    NotificationRecord,
    count_by_status,
    due,
    enqueue,
    list_notifications,
    mark_dead,
    mark_failed_retry,
    mark_sent,
)

TREE = """
receiver: default
group_by: [alertname]
routes:
  - matchers: ['severity="critical"']
    receiver: pager
    continue: true
  - matchers: ['alertname="FeatureDrift"']
    receiver: ml-oncall
"""


@dataclass
class Recorder:
    """A notifier that only records; grouping never sends."""

    send_resolved: bool = True

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        return DeliveryResult.ok()


RECEIVERS = {
    "default": {"log[0]": Recorder()},
    "pager": {"log[0]": Recorder(send_resolved=False)},
    "ml-oncall": {"slack[0]": Recorder(), "log[0]": Recorder()},
}


@pytest.fixture(scope="module")
def tree() -> CompiledRoute:
    return compile_route(Route.model_validate(yaml.safe_load(TREE)))


def alert(t0: datetime, model: str, severity: str, status: str = "firing") -> AlertRecord:
    labels = {"alertname": "FeatureDrift", "model": model, "severity": severity}
    return AlertRecord(
        id=1,
        fingerprint=fingerprint(labels),
        alertname="FeatureDrift",
        labels=labels,
        annotations={"summary": f"Drift on {model}"},
        status=status,
        starts_at=t0,
        ends_at=None if status == "firing" else t0 + timedelta(hours=1),
        updated_at=t0,
    )


def test_a_transition_notifies_each_matching_route_with_the_groups_firing_alerts(
    tree: CompiledRoute, t0: datetime
) -> None:
    fired, other = alert(t0, "credit-risk", "critical"), alert(t0, "churn", "warning")
    groups = group_transitions(tree, [fired], [fired, other])
    found = notifications_for(groups, RECEIVERS)
    assert [(n.receiver, n.integration, n.kind) for n in found] == [
        ("pager", "log[0]", "firing"),
        ("ml-oncall", "slack[0]", "firing"),
        ("ml-oncall", "log[0]", "firing"),
    ]
    pager, oncall = found[0].payload, found[1].payload
    assert [a["labels"]["model"] for a in pager["alerts"]] == ["credit-risk"]
    assert [a["labels"]["model"] for a in oncall["alerts"]] == ["churn", "credit-risk"]
    assert oncall["group_labels"] == {"alertname": "FeatureDrift"}
    assert oncall["common_labels"] == {"alertname": "FeatureDrift"}
    assert oncall["group_key"] == '{}/{alertname="FeatureDrift"}/1:{alertname="FeatureDrift"}'


def test_a_resolution_is_sent_only_where_send_resolved_and_the_group_status_stays_firing(
    tree: CompiledRoute, t0: datetime
) -> None:
    resolved, other = (
        alert(t0, "credit-risk", "critical", "resolved"),
        alert(t0, "churn", "warning"),
    )
    found = notifications_for(group_transitions(tree, [resolved], [other]), RECEIVERS)
    assert [(n.receiver, n.kind) for n in found] == [("ml-oncall", "firing")] * 2
    assert [a["status"] for a in found[0].payload["alerts"]] == ["firing", "resolved"]
    alone = notifications_for(group_transitions(tree, [resolved], []), RECEIVERS)
    assert {n.kind for n in alone} == {"resolved"}


def test_a_route_to_an_unknown_receiver_is_logged_not_dropped_silently(
    tree: CompiledRoute, t0: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    groups = group_transitions(tree, [alert(t0, "credit-risk", "critical")], [])
    with caplog.at_level(logging.ERROR, logger="alerting.outbox"):
        found = notifications_for(groups, {"ml-oncall": RECEIVERS["ml-oncall"]})
    assert [n.receiver for n in found] == ["ml-oncall", "ml-oncall"]
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
