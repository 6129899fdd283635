"""The timeline of a replay: what fired, who would have been paged, what would have acted.

Read back from the replay's store (alerts, incidents and their timelines, actions) and from
the :class:`~vigil.replay.recording.Recorder` (notifications and action requests), plus the
:class:`~vigil.replay.guards.GuardLog`. Every time in it is a simulated time and every id
comes from a fresh store, so the same events replayed twice give the same document.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from store.actions import actions_in
from store.alerts import all_alerts
from store.incidents import list_incidents, timeline

_MANY = 1_000_000


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def alerts_section(engine: Engine) -> list[dict[str, Any]]:
    """Every alert the rules raised, in the order they started."""
    found = sorted(all_alerts(engine, limit=_MANY), key=lambda a: (a.starts_at, a.id))
    return [
        {
            "alertname": a.alertname,
            "status": a.status,
            "labels": dict(sorted(a.labels.items())),
            "annotations": a.annotations,
            "starts_at": _iso(a.starts_at),
            "ends_at": _iso(a.ends_at),
        }
        for a in found
    ]


def incidents_section(engine: Engine) -> list[dict[str, Any]]:
    """Every incident, oldest first, with its timeline."""
    found = sorted(list_incidents(engine, limit=_MANY), key=lambda i: i.id)
    return [
        {
            "id": i.id,
            "title": i.title,
            "model": i.model,
            "severity": i.severity,
            "status": i.status,
            "group_key": i.group_key,
            "opened_at": _iso(i.opened_at),
            "resolved_at": _iso(i.resolved_at),
            "timeline": [
                {"at": _iso(e.at), "kind": e.kind, "actor": e.actor, "message": e.message}
                for e in timeline(engine, i.id)
            ],
        }
        for i in found
    ]


def actions_section(
    engine: Engine, decisions: list[dict[str, Any]], requests: list[dict[str, Any]]
) -> dict[str, Any]:
    """Stored actions, the guard decisions behind them, and the webhook requests made."""
    stored = [
        {
            "id": a.id,
            "incident_id": a.incident_id,
            "policy": a.policy,
            "action": a.action,
            "model": a.model,
            "target_version": a.target_version,
            "mode": a.mode,
            "status": a.status,
            "attempts": a.attempts,
            "requested_at": _iso(a.requested_at),
            "executed_at": _iso(a.executed_at),
            "finished_at": _iso(a.finished_at),
            "last_error": a.last_error,
        }
        for a in actions_in(engine)
    ]
    return {"actions": stored, "guard_decisions": decisions, "webhook_requests": requests}


def summary(
    alerts: list[dict[str, Any]],
    notifications: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    actions: list[dict[str, Any]],
) -> dict[str, Any]:
    """Pages (firing notifications) per receiver, model and alert name, and totals."""
    pages = [n for n in notifications if n["kind"] == "firing"]
    per_model: Counter[str] = Counter()
    per_alert: Counter[str] = Counter()
    for page in pages:
        per_model.update({str(a["model"]) for a in page["alerts"] if a.get("status") == "firing"})
        per_alert.update(
            {str(a["alertname"]) for a in page["alerts"] if a.get("status") == "firing"}
        )
    return {
        "alerts": len(alerts),
        "alerts_by_name": dict(sorted(Counter(a["alertname"] for a in alerts).items())),
        "notifications": len(notifications),
        "pages": len(pages),
        "resolved_notifications": len(notifications) - len(pages),
        "pages_per_receiver": dict(sorted(Counter(p["receiver"] for p in pages).items())),
        "pages_per_model": dict(sorted(per_model.items())),
        "pages_per_alertname": dict(sorted(per_alert.items())),
        "incidents": len(incidents),
        "actions": len(actions),
        "actions_by_status": dict(sorted(Counter(a["status"] for a in actions).items())),
    }
