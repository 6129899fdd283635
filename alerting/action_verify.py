"""Verifying sent actions, and settling the alerts raised about actions.

A sent action whose triggering alert resolved is ``verified`` and its incident becomes
``mitigated``; one whose alert still fires at ``verify_until`` is ``not_effective``: the
timeline says "verification failed" and ``VigilActionNotEffective`` fires for the router
to page. Alerts raised about an action resolve once its triggering alert has resolved or its
incident is no longer open, so they never hold the incident open by themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from alerting.action_execute import (
    ACTION_FAILED,
    NOT_EFFECTIVE,
    SYSTEM_ACTOR,
    raise_action_alert,
    resolve_action_alert,
)
from alerting.incidents import can_move
from store.actions import actions_in, advance
from store.audit import AuditEntry
from store.incident_inputs import alerts_by_id
from store.incidents import OPEN_STATUSES, IncidentEvent, change_status, get_incident


class VerifyReport(Protocol):
    """Where :func:`verify` lists the actions it settled."""

    verified: list[int]
    not_effective: list[int]


def verify(engine: Engine, runbook_url: str, now: datetime, report: VerifyReport) -> None:
    """Settle sent actions: verified if their alert resolved, not effective past the deadline."""
    sent = actions_in(engine, "sent")
    alerts = alerts_by_id(engine, (a.alert_id for a in sent))
    for action in sent:
        alert = alerts.get(action.alert_id)
        if alert is not None and alert.status == "resolved":
            event = IncidentEvent(
                now,
                "action_verified",
                SYSTEM_ACTOR,
                f"{alert.alertname} resolved after the {action.action}",
                {"action_id": action.id},
                f"action:{action.id}:verified",
            )
            audit = AuditEntry(
                now,
                SYSTEM_ACTOR,
                "action.verify",
                f"action:{action.id}",
                "triggering alert resolved",
                {"outcome": "verified"},
            )
            if advance(engine, action, {"status": "verified", "finished_at": now}, event, audit):
                report.verified.append(action.id)
                _mitigate(engine, action.incident_id, action.action, now)
        elif action.verify_until is not None and now >= action.verify_until:
            event = IncidentEvent(
                now,
                "verification_failed",
                SYSTEM_ACTOR,
                f"verification failed: the alert still fires after the {action.action}",
                {"action_id": action.id},
                f"action:{action.id}:not_effective",
            )
            audit = AuditEntry(
                now,
                SYSTEM_ACTOR,
                "action.verify",
                f"action:{action.id}",
                "triggering alert still firing",
                {"outcome": "not_effective"},
            )
            values = {"status": "not_effective", "finished_at": now}
            if advance(engine, action, values, event, audit):
                report.not_effective.append(action.id)
                raise_action_alert(
                    engine, action, NOT_EFFECTIVE, "did not resolve the alert", runbook_url, now
                )


def _mitigate(engine: Engine, incident_id: int, action: str, now: datetime) -> None:
    incident = get_incident(engine, incident_id)
    if incident is not None and can_move(incident.status, "mitigated"):
        event = IncidentEvent(
            now, "mitigated", SYSTEM_ACTOR, f"mitigated by the verified {action}", {}
        )
        change_status(engine, incident_id, incident.status, "mitigated", event)


def resolve_escalations(engine: Engine, now: datetime) -> None:
    """Resolve the alerts raised about actions once the problem they page about is gone.

    That is when the triggering alert resolved, or the incident is no longer open.
    """
    settled = actions_in(engine, "failed", "not_effective")
    triggering = alerts_by_id(engine, (a.alert_id for a in settled))
    for action in settled:
        alert = triggering.get(action.alert_id)
        incident = get_incident(engine, action.incident_id)
        gone = alert is None or alert.status == "resolved"
        if gone or incident is None or incident.status not in OPEN_STATUSES:
            name = ACTION_FAILED if action.status == "failed" else NOT_EFFECTIVE
            resolve_action_alert(engine, action, name, now)
