"""Guarded actions as stored: one row per (incident, action, target version).

The row is the durable state of an action, so a restart neither repeats nor forgets one:

    dry_run                                  recorded, never executed
    awaiting_approval ──approve──► pending ──► sent ──► verified | not_effective
                                      │  ▲
                                      └──┘ retry (attempts, next_attempt_at)
                                      └────► failed

Every change is a compare-and-set on the status the caller read, written in one transaction
with its incident timeline event and its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, func, select, update
from sqlalchemy.exc import IntegrityError

from store.audit import AuditEntry, insert_audit
from store.incidents import IncidentEvent, insert_event
from store.schema import actions

#: Statuses that count against a model's cooldown and daily cap (a dry run does not).
COUNTED = ("awaiting_approval", "pending", "sent", "failed", "verified", "not_effective")


@dataclass(frozen=True)
class NewAction:
    """An action a policy asks for."""

    incident_id: int
    alert_id: int
    policy: str
    action: str
    model: str
    target_version: str
    mode: str
    webhook: str
    status: str


@dataclass(frozen=True)
class ActionRecord:
    """One action as stored."""

    id: int
    incident_id: int
    alert_id: int
    policy: str
    action: str
    model: str
    target_version: str
    mode: str
    webhook: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    executed_at: datetime | None
    verify_until: datetime | None
    finished_at: datetime | None


def _record(row: Row) -> ActionRecord:  # type: ignore[type-arg]
    return ActionRecord(**{name: row._mapping[name] for name in ActionRecord.__dataclass_fields__})


def insert_action(
    engine: Engine, new: NewAction, now: datetime, event: IncidentEvent, audit: AuditEntry
) -> ActionRecord | None:
    """Store ``new`` with its timeline event and audit entry; None if it already exists."""
    values = {**vars(new), "attempts": 0, "requested_at": now}
    if new.status == "pending":
        values["next_attempt_at"] = now
    try:
        with engine.begin() as conn:
            action_id = int(
                conn.execute(actions.insert().values(**values).returning(actions.c.id)).scalar_one()
            )
            insert_event(conn, new.incident_id, event)
            insert_audit(conn, audit)
            row = conn.execute(select(actions).where(actions.c.id == action_id)).one()
    except IntegrityError:
        return None
    return _record(row)


def advance(
    engine: Engine,
    action: ActionRecord,
    values: Mapping[str, Any],
    event: IncidentEvent | None = None,
    audit: AuditEntry | None = None,
) -> bool:
    """Set ``values`` if the action is still in the status read; record event and audit."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(actions)
            .where(actions.c.id == action.id, actions.c.status == action.status)
            .values(**dict(values))
        ).rowcount
        if not changed:
            return False
        if event is not None:
            insert_event(conn, action.incident_id, event)
        if audit is not None:
            insert_audit(conn, audit)
    return True


def get_action(engine: Engine, action_id: int) -> ActionRecord | None:
    """The action with this id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(actions).where(actions.c.id == action_id)).first()
    return _record(row) if row is not None else None


def actions_in(engine: Engine, *statuses: str) -> list[ActionRecord]:
    """Actions in any of ``statuses`` (all with none given), oldest first."""
    stmt = select(actions).order_by(actions.c.id)
    if statuses:
        stmt = stmt.where(actions.c.status.in_(statuses))
    with engine.connect() as conn:
        return [_record(row) for row in conn.execute(stmt)]


def last_requested(engine: Engine, model: str) -> datetime | None:
    """When the latest counted action on ``model`` was requested."""
    stmt = (
        select(actions.c.requested_at)
        .where(actions.c.model == model, actions.c.status.in_(COUNTED))
        .order_by(actions.c.requested_at.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        value: datetime | None = conn.execute(stmt).scalar()
    return value


def count_since(engine: Engine, model: str, since: datetime) -> int:
    """How many counted actions on ``model`` were requested at or after ``since``."""
    stmt = select(func.count()).where(
        actions.c.model == model, actions.c.status.in_(COUNTED), actions.c.requested_at >= since
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def action_exists(engine: Engine, incident_id: int, action: str, target_version: str) -> bool:
    """Whether the incident already has this action for this target version (any status)."""
    stmt = select(actions.c.id).where(
        actions.c.incident_id == incident_id,
        actions.c.action == action,
        actions.c.target_version == target_version,
    )
    with engine.connect() as conn:
        return conn.execute(stmt.limit(1)).first() is not None
