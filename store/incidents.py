"""Incidents and their timelines, as stored.

An incident belongs to an alert group (the router's group key). Its timeline is a list of
events; an event derived from another row (an alert firing, a notification sent) carries
that row as ``source``, unique per incident, so :func:`add_event` records each fact once
however often the reconciling tick runs. Status changes are compare-and-set on the status
the caller saw, so two operators acknowledging at once change the incident once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update
from sqlalchemy.exc import IntegrityError

from store.audit import AuditEntry, insert_audit
from store.notifications import NewNotification, insert_notifications
from store.schema import incident_events, incidents

#: Statuses of an incident that is still open (alerts join it).
OPEN_STATUSES = ("triggered", "acknowledged", "mitigated")


@dataclass(frozen=True)
class IncidentRecord:
    """One incident as stored."""

    id: int
    group_key: str
    title: str
    model: str | None
    severity: str
    status: str
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class IncidentEvent:
    """One entry of an incident's timeline."""

    at: datetime
    kind: str
    actor: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    id: int | None = None


def _incident(row: Row) -> IncidentRecord:  # type: ignore[type-arg]
    m = row._mapping
    return IncidentRecord(
        id=int(m["id"]),
        group_key=m["group_key"],
        title=m["title"],
        model=m["model"],
        severity=m["severity"],
        status=m["status"],
        opened_at=m["opened_at"],
        updated_at=m["updated_at"],
        resolved_at=m["resolved_at"],
    )


def _event(row: Row) -> IncidentEvent:  # type: ignore[type-arg]
    m = row._mapping
    return IncidentEvent(
        at=m["at"],
        kind=m["kind"],
        actor=m["actor"],
        message=m["message"],
        data=dict(m["data"]),
        source=m["source"],
        id=int(m["id"]),
    )


def open_incidents(engine: Engine) -> list[IncidentRecord]:
    """Every incident not yet resolved or closed, oldest first."""
    stmt = select(incidents).where(incidents.c.status.in_(OPEN_STATUSES)).order_by(incidents.c.id)
    with engine.connect() as conn:
        return [_incident(row) for row in conn.execute(stmt)]


def list_incidents(
    engine: Engine, status: str | None = None, limit: int = 200
) -> list[IncidentRecord]:
    """Incidents, newest first; optionally only those with ``status``."""
    stmt = select(incidents).order_by(incidents.c.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(incidents.c.status == status)
    with engine.connect() as conn:
        return [_incident(row) for row in conn.execute(stmt)]


def get_incident(engine: Engine, incident_id: int) -> IncidentRecord | None:
    """The incident with this id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).first()
    return _incident(row) if row is not None else None


def latest_for_group(engine: Engine, group_key: str) -> IncidentRecord | None:
    """The most recently opened incident of a group, whatever its status."""
    stmt = (
        select(incidents)
        .where(incidents.c.group_key == group_key)
        .order_by(incidents.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return _incident(row) if row is not None else None


def timeline(engine: Engine, incident_id: int) -> list[IncidentEvent]:
    """An incident's events in time order (ties in insertion order)."""
    stmt = (
        select(incident_events)
        .where(incident_events.c.incident_id == incident_id)
        .order_by(incident_events.c.at, incident_events.c.id)
    )
    with engine.connect() as conn:
        return [_event(row) for row in conn.execute(stmt)]


def sources(engine: Engine, incident_ids: Iterable[int]) -> dict[int, set[str]]:
    """The event sources already recorded, per incident."""
    wanted = sorted(set(incident_ids))
    found: dict[int, set[str]] = {i: set() for i in wanted}
    if not wanted:
        return found
    stmt = select(incident_events.c.incident_id, incident_events.c.source).where(
        incident_events.c.incident_id.in_(wanted), incident_events.c.source.is_not(None)
    )
    with engine.connect() as conn:
        for incident_id, source in conn.execute(stmt):
            found[int(incident_id)].add(source)
    return found


def insert_event(conn: Connection, incident_id: int, event: IncidentEvent) -> bool:
    """Add ``event`` on an open transaction; False if its source is already recorded."""
    values = {
        "incident_id": incident_id,
        "at": event.at,
        "kind": event.kind,
        "actor": event.actor[:200],
        "message": event.message,
        "data": dict(event.data),
        "source": event.source,
    }
    try:
        with conn.begin_nested():
            conn.execute(incident_events.insert().values(**values))
    except IntegrityError:
        return False
    return True


def add_event(
    engine: Engine, incident_id: int, event: IncidentEvent, audit: AuditEntry | None = None
) -> bool:
    """Add ``event`` to an incident's timeline; False if its source is already recorded.

    ``audit`` is appended to the audit log in the same transaction, if the event was added.
    """
    with engine.begin() as conn:
        added = insert_event(conn, incident_id, event)
        if added and audit is not None:
            insert_audit(conn, audit)
        return added


def open_incident(
    engine: Engine,
    group_key: str,
    title: str,
    model: str | None,
    severity: str,
    opened_at: datetime,
    first: IncidentEvent,
) -> IncidentRecord:
    """Create a ``triggered`` incident with its first timeline event, in one transaction."""
    with engine.begin() as conn:
        incident_id = int(
            conn.execute(
                incidents.insert()
                .values(
                    group_key=group_key,
                    title=title[:500],
                    model=model,
                    severity=severity,
                    status="triggered",
                    opened_at=opened_at,
                    updated_at=opened_at,
                )
                .returning(incidents.c.id)
            ).scalar_one()
        )
        insert_event(conn, incident_id, first)
        row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).one()
    return _incident(row)


def change_status(
    engine: Engine,
    incident_id: int,
    expected: str,
    status: str,
    event: IncidentEvent,
    changes: Mapping[str, Any] | None = None,
    audit: AuditEntry | None = None,
) -> bool:
    """Move an incident from ``expected`` to ``status`` and record ``event``, atomically.

    ``changes`` sets other columns too (``resolved_at``, ``severity``); ``audit`` is appended
    to the audit log in the same transaction. Returns False, and changes nothing, if the
    incident is no longer in ``expected``.
    """
    with engine.begin() as conn:
        changed = conn.execute(
            update(incidents)
            .where(incidents.c.id == incident_id, incidents.c.status == expected)
            .values(status=status, updated_at=event.at, **dict(changes or {}))
        ).rowcount
        if not changed:
            return False
        insert_event(conn, incident_id, event)
        if audit is not None:
            insert_audit(conn, audit)
    return True


def set_severity(engine: Engine, incident_id: int, severity: str, now: datetime) -> None:
    """Raise an incident's severity (the caller decides that it is higher)."""
    with engine.begin() as conn:
        conn.execute(
            update(incidents)
            .where(incidents.c.id == incident_id)
            .values(severity=severity, updated_at=now)
        )


def record_escalation(
    engine: Engine,
    incident_id: int,
    event: IncidentEvent,
    found: Sequence[NewNotification],
    now: datetime,
) -> list[int] | None:
    """Record an escalation step and enqueue its notifications, in one transaction.

    Only while the incident is still ``triggered`` (its row is locked on PostgreSQL, so an
    acknowledgement committed meanwhile wins) and the step's ``event.source`` is not yet
    recorded; otherwise nothing changes and the result is None. Returns the outbox row ids.
    """
    with engine.begin() as conn:
        status = conn.execute(
            select(incidents.c.status).where(incidents.c.id == incident_id).with_for_update()
        ).scalar()
        if status != "triggered" or not insert_event(conn, incident_id, event):
            return None
        return insert_notifications(conn, found, now)
