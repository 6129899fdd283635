"""The notification outbox: one row per (group notification, receiver integration).

The router writes rows here and the dispatcher sends them, so a page survives a crash, a
restart or a Slack outage between the two. A row is ``pending`` until it is ``sent`` or, after
the dispatcher gives up, ``dead`` (kept, with its last error, for the operator to see). While
a dispatcher replica delivers it, a row is ``sending``, claimed by that replica until a lease
ends (:mod:`store.outbox_claims`); the ``mark_*`` functions given that claim only finish a row
the caller still holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Row, func, select, update

from store.schema import notifications

NotificationKind = Literal["firing", "resolved"]
NotificationStatus = Literal["pending", "sending", "sent", "dead"]


@dataclass(frozen=True)
class NewNotification:
    """A notification to enqueue."""

    receiver: str
    integration: str
    group_key: str
    kind: NotificationKind
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class NotificationRecord:
    """One outbox row as stored."""

    id: int
    receiver: str
    integration: str
    group_key: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    response: dict[str, Any] | None
    created_at: datetime
    sent_at: datetime | None
    claimed_by: str | None = None
    claimed_until: datetime | None = None


def record_from_row(row: Row) -> NotificationRecord:  # type: ignore[type-arg]
    m = row._mapping
    return NotificationRecord(
        id=int(m["id"]),
        receiver=m["receiver"],
        integration=m["integration"],
        group_key=m["group_key"],
        kind=m["kind"],
        payload=dict(m["payload"]),
        status=m["status"],
        attempts=int(m["attempts"]),
        next_attempt_at=m["next_attempt_at"],
        last_error=m["last_error"],
        response=dict(m["response"]) if m["response"] is not None else None,
        created_at=m["created_at"],
        sent_at=m["sent_at"],
        claimed_by=m["claimed_by"],
        claimed_until=m["claimed_until"],
    )


def insert_notifications(
    conn: Connection, found: Sequence[NewNotification], now: datetime
) -> list[int]:
    """Insert notifications as ``pending`` and due at ``now`` on an open transaction."""
    ids: list[int] = []
    for item in found:
        stmt = (
            notifications.insert()
            .values(
                receiver=item.receiver,
                integration=item.integration,
                group_key=item.group_key,
                kind=item.kind,
                payload=dict(item.payload),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(notifications.c.id)
        )
        ids.append(int(conn.execute(stmt).scalar_one()))
    return ids


def enqueue(engine: Engine, found: Sequence[NewNotification], now: datetime) -> list[int]:
    """Store notifications as ``pending`` and due at ``now``, all in one transaction.

    Returns their ids in the order given.
    """
    with engine.begin() as conn:
        return insert_notifications(conn, found, now)


def due(engine: Engine, now: datetime, limit: int = 100) -> list[NotificationRecord]:
    """Pending notifications whose next attempt is at or before ``now``, oldest first."""
    stmt = (
        select(notifications)
        .where(notifications.c.status == "pending", notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.next_attempt_at, notifications.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [record_from_row(row) for row in conn.execute(stmt)]


def _finish_attempt(engine: Engine, notification_id: int, claim: str | None, **values: Any) -> bool:
    conditions = [
        notifications.c.id == notification_id,
        notifications.c.status.in_(("pending", "sending")),
    ]
    if claim is not None:
        conditions.append(notifications.c.claimed_by == claim)
    with engine.begin() as conn:
        changed = conn.execute(
            update(notifications)
            .where(*conditions)
            .values(
                attempts=notifications.c.attempts + 1,
                claimed_by=None,
                claimed_until=None,
                **values,
            )
        ).rowcount
    return bool(changed)


def mark_sent(
    engine: Engine,
    notification_id: int,
    now: datetime,
    response: Mapping[str, Any] | None = None,
    *,
    claim: str | None = None,
) -> bool:
    """Record a successful attempt and what the receiver answered.

    With ``claim``, only while the caller still holds the row; returns whether it did.
    """
    return _finish_attempt(
        engine,
        notification_id,
        claim,
        status="sent",
        sent_at=now,
        response=dict(response) if response is not None else None,
    )


def mark_failed_retry(
    engine: Engine,
    notification_id: int,
    next_attempt_at: datetime,
    error: str,
    *,
    claim: str | None = None,
) -> bool:
    """Record a failed attempt; the notification is pending again until ``next_attempt_at``."""
    return _finish_attempt(
        engine,
        notification_id,
        claim,
        status="pending",
        next_attempt_at=next_attempt_at,
        last_error=error,
    )


def mark_dead(
    engine: Engine, notification_id: int, now: datetime, error: str, *, claim: str | None = None
) -> bool:
    """Record a final failed attempt: the dispatcher will not try this notification again."""
    return _finish_attempt(
        engine, notification_id, claim, status="dead", next_attempt_at=now, last_error=error
    )


def list_notifications(
    engine: Engine, status: NotificationStatus | None = None, limit: int = 1000
) -> list[NotificationRecord]:
    """Notifications, oldest first; optionally only those with ``status``."""
    stmt = select(notifications).order_by(notifications.c.id).limit(limit)
    if status is not None:
        stmt = stmt.where(notifications.c.status == status)
    with engine.connect() as conn:
        return [record_from_row(row) for row in conn.execute(stmt)]


def count_by_status(engine: Engine) -> dict[str, int]:
    """How many notifications are pending, sent and dead (for metrics and health)."""
    stmt = select(notifications.c.status, func.count()).group_by(notifications.c.status)
    with engine.connect() as conn:
        return {status: int(count) for status, count in conn.execute(stmt)}


def last_sent_response(
    engine: Engine,
    receiver: str,
    integration: str,
    group_key: str,
    *,
    kind: NotificationKind = "firing",
    before_id: int | None = None,
) -> dict[str, Any] | None:
    """What the receiver answered for the group's last sent ``kind`` notification, or None.

    Only that receiver integration's rows count, and with ``before_id`` only those enqueued
    before it; a sent row that recorded no response gives None.
    """
    stmt = (
        select(notifications.c.response)
        .where(
            notifications.c.receiver == receiver,
            notifications.c.integration == integration,
            notifications.c.group_key == group_key,
            notifications.c.kind == kind,
            notifications.c.status == "sent",
        )
        .order_by(notifications.c.id.desc())
        .limit(1)
    )
    if before_id is not None:
        stmt = stmt.where(notifications.c.id < before_id)
    with engine.connect() as conn:
        response = conn.execute(stmt).scalar_one_or_none()
    return dict(response) if response is not None else None
