"""The body of a group notification: Alertmanager's webhook payload, in snake case.

Built once, when the router enqueues the notification, and stored on the outbox row: every
receiver renders its message from it (Slack blocks, a PagerDuty event, a signed webhook),
so what was sent can always be read back. Firing alerts come first, then resolved ones,
each ordered by labels, so the payload of the same state is the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from store.alerts import AlertRecord


def alert_payload(alert: AlertRecord) -> dict[str, Any]:
    """One alert as it appears in a notification."""
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


def payload(
    receiver: str,
    group_key: str,
    group_labels: Mapping[str, str],
    alerts: Sequence[AlertRecord],
) -> dict[str, Any]:
    """The notification body for ``alerts`` of one group sent to ``receiver``."""
    ordered = sorted(alerts, key=lambda a: (a.status != "firing", sorted(a.labels.items())))
    return {
        "version": "1",
        "receiver": receiver,
        "status": "firing" if any(a.status == "firing" for a in ordered) else "resolved",
        "group_key": group_key,
        "group_labels": dict(group_labels),
        "common_labels": _common([a.labels for a in ordered]),
        "common_annotations": _common([a.annotations for a in ordered]),
        "alerts": [alert_payload(a) for a in ordered],
    }
