"""Claiming outbox rows, so two dispatcher replicas never send the same row.

A dispatcher claims due rows before sending them: the rows become ``sending``, stamped with a
claim token unique to that pass and a lease end. On PostgreSQL the candidates are read with
``SELECT ... FOR UPDATE SKIP LOCKED``, so concurrent replicas take disjoint rows without
waiting for each other; on SQLite the database has a single writer and the claiming
``UPDATE`` re-checks the row's state, so a row another connection took in between is not
taken twice. Either way the caller reads back only the rows stamped with its own token.

A row whose lease ended without an outcome (the replica crashed mid-send) is due again:
delivery is at least once, and receivers make repeats harmless where their API allows it
(PagerDuty's dedup key). Rows of one target (receiver, integration and group) go out in
order: a row is not claimed while an older row of the same target is unfinished, so a
"resolved" never overtakes its "firing".
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from store.notifications import NotificationRecord, record_from_row
from store.schema import notifications

#: How long a claimed row stays with its dispatcher before another may take it.
DEFAULT_LEASE = timedelta(minutes=5)


def _claimable(now: datetime) -> ColumnElement[bool]:
    older = aliased(notifications)
    blocked = exists().where(
        older.c.receiver == notifications.c.receiver,
        older.c.integration == notifications.c.integration,
        older.c.group_key == notifications.c.group_key,
        older.c.id < notifications.c.id,
        older.c.status.in_(("pending", "sending")),
    )
    return and_(
        or_(
            and_(notifications.c.status == "pending", notifications.c.next_attempt_at <= now),
            and_(notifications.c.status == "sending", notifications.c.claimed_until <= now),
        ),
        ~blocked,
    )


def new_claim(owner: str) -> str:
    """A claim token: the replica's name and a random suffix unique to one pass."""
    return f"{owner[:80]}:{uuid.uuid4().hex[:12]}"


def claim_due(
    engine: Engine,
    now: datetime,
    claim: str,
    *,
    lease: timedelta = DEFAULT_LEASE,
    limit: int = 100,
) -> list[NotificationRecord]:
    """Claim up to ``limit`` rows due at ``now`` for ``claim``; return them, oldest first."""
    candidates = (
        select(notifications.c.id)
        .where(_claimable(now))
        .order_by(notifications.c.next_attempt_at, notifications.c.id)
        .limit(limit)
    )
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True, of=notifications)
        ids = [int(i) for i in conn.execute(candidates).scalars()]
        if not ids:
            return []
        conn.execute(
            update(notifications)
            .where(notifications.c.id.in_(ids), _claimable(now))
            .values(status="sending", claimed_by=claim, claimed_until=now + lease)
        )
        rows = conn.execute(
            select(notifications)
            .where(notifications.c.id.in_(ids), notifications.c.claimed_by == claim)
            .order_by(notifications.c.next_attempt_at, notifications.c.id)
        )
        return [record_from_row(row) for row in rows]


def release(engine: Engine, notification_id: int, claim: str) -> bool:
    """Give a claimed row back untried (pending, due as before); False if no longer held."""
    with engine.begin() as conn:
        changed = conn.execute(
            update(notifications)
            .where(notifications.c.id == notification_id, notifications.c.claimed_by == claim)
            .values(status="pending", claimed_by=None, claimed_until=None)
        ).rowcount
    return bool(changed)


def unfinished_targets(engine: Engine) -> set[tuple[str, str, str]]:
    """``(group_key, receiver, integration)`` of every row still pending or being sent."""
    stmt = (
        select(notifications.c.group_key, notifications.c.receiver, notifications.c.integration)
        .where(notifications.c.status.in_(("pending", "sending")))
        .distinct()
    )
    with engine.connect() as conn:
        return {(g, r, i) for g, r, i in conn.execute(stmt)}
