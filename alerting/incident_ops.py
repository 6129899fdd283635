"""What operators do to incidents: acknowledge, mitigate, resolve, close, add a note.

Shared by the API and the CLI (and the dashboards). Each change is one transaction: the
status (compare-and-set on the status read), its timeline event, and its audit entry.
A request the incident's status does not allow raises :class:`IncidentStateError` and
changes nothing; an unknown id raises :class:`IncidentNotFoundError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from alerting.errors import IncidentNotFoundError, IncidentStateError
from alerting.incidents import Durations, can_move, durations
from store.audit import AuditEntry
from store.incidents import (
    IncidentEvent,
    IncidentRecord,
    add_event,
    change_status,
    get_incident,
    timeline,
)

#: Operator transitions and the status each leads to.
TRANSITIONS = {
    "acknowledge": "acknowledged",
    "mitigate": "mitigated",
    "resolve": "resolved",
    "close": "closed",
}


@dataclass(frozen=True)
class IncidentView:
    """An incident with its timeline and derived durations."""

    incident: IncidentRecord
    events: list[IncidentEvent]
    durations: Durations


def find_incident(engine: Engine, incident_id: int) -> IncidentRecord:
    """The incident with this id; :class:`IncidentNotFoundError` if there is none."""
    incident = get_incident(engine, incident_id)
    if incident is None:
        raise IncidentNotFoundError(f"no incident with id {incident_id}")
    return incident


def view(engine: Engine, incident_id: int) -> IncidentView:
    """The incident, its timeline and its durations."""
    incident = find_incident(engine, incident_id)
    events = timeline(engine, incident_id)
    return IncidentView(incident, events, durations(incident, events))


def transition(
    engine: Engine,
    incident_id: int,
    verb: str,
    actor: str,
    reason: str,
    now: datetime,
    *,
    data: Mapping[str, Any] | None = None,
) -> IncidentRecord:
    """Apply ``verb`` (a key of :data:`TRANSITIONS`) for ``actor``; returns the incident.

    ``data`` is added to the timeline event and the audit entry (where the request came
    from, such as the PagerDuty incident that was acknowledged).
    """
    target = TRANSITIONS[verb]
    incident = find_incident(engine, incident_id)
    if not can_move(incident.status, target):
        raise IncidentStateError(
            f"incident {incident_id} is {incident.status}; it cannot be {target}", incident.status
        )
    extra = dict(data or {})
    event = IncidentEvent(now, target, actor, reason or target, {**extra, "from": incident.status})
    audit = AuditEntry(
        now,
        actor,
        f"incident.{verb}",
        f"incident:{incident_id}",
        reason,
        {**extra, "from": incident.status, "to": target},
    )
    changes = {"resolved_at": now} if target == "resolved" else None
    if not change_status(engine, incident_id, incident.status, target, event, changes, audit):
        current = find_incident(engine, incident_id)
        raise IncidentStateError(
            f"incident {incident_id} changed to {current.status} meanwhile", current.status
        )
    return find_incident(engine, incident_id)


def add_note(
    engine: Engine, incident_id: int, actor: str, text: str, now: datetime
) -> IncidentEvent:
    """Add a note to the timeline; a closed incident takes no more notes."""
    incident = find_incident(engine, incident_id)
    if incident.status == "closed":
        raise IncidentStateError(f"incident {incident_id} is closed", incident.status)
    event = IncidentEvent(now, "note", actor, text, {})
    audit = AuditEntry(now, actor, "incident.note", f"incident:{incident_id}", text, {})
    add_event(engine, incident_id, event, audit)
    return event
