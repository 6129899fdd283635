"""Silences as stored: label matchers that mute notifications between two times.

A silence is *active* while ``starts_at <= now < ends_at``, *pending* before, *expired*
after. Expiring one sets its end to ``now`` (as Alertmanager does) and records who expired
it; silences are never deleted, so the audit trail keeps who silenced what, when and why.
Matchers are kept as text in Alertmanager's syntax; the router parses them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, Row, select, update

from store.schema import silences

SilenceState = Literal["pending", "active", "expired"]


@dataclass(frozen=True)
class SilenceRecord:
    """One silence as stored."""

    id: str
    matchers: tuple[str, ...]
    author: str
    comment: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    expired_by: str | None

    def state(self, now: datetime) -> SilenceState:
        """Where the silence stands at ``now``."""
        if now < self.starts_at:
            return "pending"
        return "active" if now < self.ends_at else "expired"


def _record(row: Row) -> SilenceRecord:  # type: ignore[type-arg]
    m = row._mapping
    return SilenceRecord(
        id=m["id"],
        matchers=tuple(m["matchers"]),
        author=m["author"],
        comment=m["comment"],
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        expired_by=m["expired_by"],
    )


def create_silence(
    engine: Engine,
    matchers: Sequence[str],
    author: str,
    comment: str,
    starts_at: datetime,
    ends_at: datetime,
    created_by: str,
    now: datetime,
) -> SilenceRecord:
    """Store a new silence; the caller has checked the matchers and that it ends after it starts."""
    silence_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.execute(
            silences.insert().values(
                id=silence_id,
                matchers=list(matchers),
                author=author,
                comment=comment,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=created_by,
                created_at=now,
                updated_at=now,
                expired_by=None,
            )
        )
        row = conn.execute(select(silences).where(silences.c.id == silence_id)).one()
    return _record(row)


def get_silence(engine: Engine, silence_id: str) -> SilenceRecord | None:
    """The silence with this id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
    return _record(row) if row is not None else None


def expire_silence(
    engine: Engine, silence_id: str, expired_by: str, now: datetime
) -> SilenceRecord | None:
    """End the silence at ``now`` if it has not ended yet; None if there is no such silence.

    A pending silence gets ``starts_at = ends_at = now``; an expired one is left unchanged.
    """
    with engine.begin() as conn:
        row = conn.execute(select(silences).where(silences.c.id == silence_id)).first()
        if row is None:
            return None
        found = _record(row)
        if found.state(now) != "expired":
            conn.execute(
                update(silences)
                .where(silences.c.id == silence_id)
                .values(
                    starts_at=min(found.starts_at, now),
                    ends_at=now,
                    updated_at=now,
                    expired_by=expired_by,
                )
            )
            row = conn.execute(select(silences).where(silences.c.id == silence_id)).one()
    return _record(row)


def list_silences(
    engine: Engine, now: datetime, state: SilenceState | None = None, limit: int = 1000
) -> list[SilenceRecord]:
    """Silences, latest ending first; optionally only those in ``state`` at ``now``."""
    stmt = select(silences).order_by(silences.c.ends_at.desc(), silences.c.id)
    if state == "active":
        stmt = stmt.where(silences.c.starts_at <= now, silences.c.ends_at > now)
    elif state == "pending":
        stmt = stmt.where(silences.c.starts_at > now)
    elif state == "expired":
        stmt = stmt.where(silences.c.ends_at <= now)
    with engine.connect() as conn:
        return [_record(row) for row in conn.execute(stmt.limit(limit))]
