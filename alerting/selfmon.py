"""``VigilNotificationFailing``: a receiver whose notifications go dead raises its own alert.

When the dispatcher gives up on a notification (a permanent error, or ``max_attempts``
retryable ones), that page did not arrive, and the on-call engineer must learn it through
another way. Every router tick, the latest finished notification of each receiver
integration is looked at: if it went dead, the alert ``VigilNotificationFailing{receiver,
integration}`` fires; it resolves once a later notification to that integration is
delivered (or the integration is no longer configured).

The alert is routed like any other (so a route on ``alertname="VigilNotificationFailing"``
can send it to a fallback), except that it is never sent to the receiver it is about (see
:class:`~alerting.mute_stages.SelfNotificationStage`); when the tree leads it nowhere else,
it goes to every other receiver, through :func:`fallback_routes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from alerting.mute_stages import NOTIFICATION_FAILING
from alerting.receivers import Receivers
from alerting.routing import CompiledRoute, RouteOpts
from store.alerts import AlertRecord, fingerprint, open_alerts, resolve, upsert_firing
from store.notification_health import DeliveryHealth, delivery_health

SEVERITY = "critical"


def failing_labels(receiver: str, integration: str) -> dict[str, str]:
    """The identity of the alert about one integration."""
    return {
        "alertname": NOTIFICATION_FAILING,
        "receiver": receiver,
        "integration": integration,
        "severity": SEVERITY,
    }


def failing_annotations(health: DeliveryHealth, runbook_url: str | None) -> dict[str, Any]:
    """What broke, how bad, what to do."""
    notes: dict[str, Any] = {
        "summary": f"Notifications to {health.receiver} ({health.integration}) are failing",
        "description": (
            f"{health.dead} notification(s) to receiver '{health.receiver}' integration "
            f"'{health.integration}' went undelivered; the latest gave up at "
            f"{health.last_dead_at.isoformat() if health.last_dead_at else '?'} with: "
            f"{health.last_error or 'unknown error'}. Pages routed only there did not arrive: "
            "check its credentials, URL and service status, and read the dead rows of the "
            "notification outbox."
        ),
    }
    if runbook_url:
        notes["runbook_url"] = runbook_url
    return notes


def evaluate_notification_health(
    engine: Engine, receivers: Receivers, now: datetime, runbook_url: str | None = None
) -> list[AlertRecord]:
    """Fire or resolve the alert of every configured integration; return the transitions."""
    wanted: dict[str, tuple[dict[str, str], dict[str, Any], datetime]] = {}
    for health in delivery_health(engine):
        configured = health.integration in receivers.get(health.receiver, {})
        if configured and health.failing and health.last_dead_at is not None:
            labels = failing_labels(health.receiver, health.integration)
            notes = failing_annotations(health, runbook_url)
            wanted[fingerprint(labels)] = (labels, notes, health.last_dead_at)
    firing = {a.fingerprint: a for a in open_alerts(engine) if a.alertname == NOTIFICATION_FAILING}
    transitions: list[AlertRecord] = []
    for fp, (labels, notes, since) in sorted(wanted.items()):
        if fp in firing and firing[fp].annotations == notes:
            continue
        record, new = upsert_firing(engine, labels, notes, since, now)
        transitions.extend([record] if new else [])
    for fp in sorted(firing.keys() - wanted.keys()):
        resolved = resolve(engine, fp, now)
        transitions.extend([resolved] if resolved is not None else [])
    return transitions


def fallback_routes(root: CompiledRoute, receivers: Iterable[str]) -> dict[str, CompiledRoute]:
    """One route per receiver for failure alerts the tree sends nowhere but their subject.

    They take the root's timers, no ``group_wait`` (the page is already late), and group by
    alert name, receiver and integration.
    """
    base = root.opts
    return {
        name: CompiledRoute(
            id=f"vigil:{NOTIFICATION_FAILING}/{name}",
            matchers=(),
            opts=RouteOpts(
                receiver=name,
                group_by=("alertname", "integration", "receiver"),
                group_wait=timedelta(0),
                group_interval=base.group_interval,
                repeat_interval=base.repeat_interval,
            ),
            continue_=False,
        )
        for name in receivers
    }


def route_failure_alert(
    labels: Mapping[str, str], matched: list[CompiledRoute], fallback: Mapping[str, CompiledRoute]
) -> list[CompiledRoute]:
    """The routes of a failure alert: the tree's, minus its own receiver, else the fallback."""
    failing = labels.get("receiver")
    kept = [route for route in matched if route.receiver != failing]
    return kept or [route for name, route in fallback.items() if name != failing]
