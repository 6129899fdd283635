"""Route, group and enqueue: the transitions of one evaluation tick become outbox rows.

For every alert that fired or resolved, the compiled tree gives its routes; each route and the
alert's ``group_by`` values give its group. Every group touched in the tick gets one
notification per integration of the route's receiver, listing the group's alerts: those that
changed plus those still firing in it, like Alertmanager's webhook payload. The rows are
written in one transaction, before anything is sent.

Walking-skeleton limits, deferred to the router issue (Alertmanager's dispatcher and notify
pipeline):

* ``group_wait`` / ``group_interval`` are approximated by batching the transitions of one tick;
  there is no per-group timer that waits for more alerts, and no ``repeat_interval`` re-page of
  groups that are still firing.
* No notification log: deduplication relies on rules returning transitions only, and a crash
  between storing a transition and enqueueing it loses that notification.
* No inhibition and no silences.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from alerting.grouping import group_key, group_labels
from alerting.receivers import Receivers
from alerting.routing import CompiledRoute
from store.alerts import AlertRecord, open_alerts
from store.notifications import NewNotification, enqueue

log = logging.getLogger(__name__)


@dataclass
class Group:
    """Alerts that one route notifies one receiver about together."""

    receiver: str
    key: str
    labels: dict[str, str]
    alerts: dict[str, AlertRecord] = field(default_factory=dict)


def _alert_payload(alert: AlertRecord) -> dict[str, Any]:
    return {
        "fingerprint": alert.fingerprint,
        "status": alert.status,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "starts_at": alert.starts_at.isoformat(),
        "ends_at": alert.ends_at.isoformat() if alert.ends_at else None,
    }


def _common(maps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if not maps:
        return {}
    first = maps[0]
    return {
        k: v
        for k, v in sorted(first.items())
        if isinstance(v, str) and all(m.get(k) == v for m in maps[1:])
    }


def payload(group: Group, alerts: Sequence[AlertRecord]) -> dict[str, Any]:
    """The notification body: Alertmanager's webhook payload, in snake case."""
    ordered = sorted(alerts, key=lambda a: (a.status != "firing", sorted(a.labels.items())))
    return {
        "version": "1",
        "receiver": group.receiver,
        "status": "firing" if any(a.status == "firing" for a in ordered) else "resolved",
        "group_key": group.key,
        "group_labels": dict(group.labels),
        "common_labels": _common([a.labels for a in ordered]),
        "common_annotations": _common([a.annotations for a in ordered]),
        "alerts": [_alert_payload(a) for a in ordered],
    }


def _routes(tree: CompiledRoute, alert: AlertRecord) -> Iterable[tuple[CompiledRoute, str]]:
    for route in tree.match(alert.labels):
        yield route, group_key(route, alert.labels)


def group_transitions(
    tree: CompiledRoute, transitions: Sequence[AlertRecord], firing: Sequence[AlertRecord]
) -> list[Group]:
    """The groups the transitions touch, each with its changed and its still-firing alerts."""
    groups: dict[str, Group] = {}
    for alert in transitions:
        for route, key in _routes(tree, alert):
            labels = group_labels(route, alert.labels)
            group = groups.setdefault(key, Group(route.receiver, key, labels))
            group.alerts[alert.fingerprint] = alert
    for alert in firing:
        for _route, key in _routes(tree, alert):
            if key in groups:
                groups[key].alerts.setdefault(alert.fingerprint, alert)
    return list(groups.values())


def notifications_for(groups: Sequence[Group], receivers: Receivers) -> list[NewNotification]:
    """One notification per group and integration; resolved alerts only where wanted."""
    found: list[NewNotification] = []
    for group in groups:
        if group.receiver not in receivers:
            log.error(
                "route names unknown receiver %r; group %s not notified", group.receiver, group.key
            )
            continue
        for integration, notifier in receivers[group.receiver].items():
            alerts = [
                a for a in group.alerts.values() if a.status == "firing" or notifier.send_resolved
            ]
            if not alerts:
                continue
            body = payload(group, alerts)
            found.append(
                NewNotification(group.receiver, integration, group.key, body["status"], body)
            )
    return found


def enqueue_transitions(
    engine: Engine,
    tree: CompiledRoute,
    transitions: Sequence[AlertRecord],
    receivers: Receivers,
    now: datetime,
) -> list[int]:
    """Route, group and enqueue the transitions of one tick; return the outbox row ids."""
    if not transitions:
        return []
    groups = group_transitions(tree, transitions, open_alerts(engine))
    return enqueue(engine, notifications_for(groups, receivers), now)
