"""The audit log: who did what, to what, when and why. Append-only.

This module offers no update and no delete: an entry, once written, stays. Operator
actions (acknowledge, resolve, note, silence create and expire, action request, approval,
execution, verification) each write one entry, in the same transaction as the change they
record where the caller passes its connection.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from store.schema import audit_log


@dataclass(frozen=True)
class AuditEntry:
    """One audit record: ``actor`` did ``action`` to ``target`` at ``at`` because ``reason``."""

    at: datetime
    actor: str
    action: str
    target: str
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The entry as a JSON-ready dict (times in ISO 8601)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "reason": self.reason,
            "data": dict(self.data),
        }


def insert_audit(conn: Connection, entry: AuditEntry) -> int:
    """Append ``entry`` on an open transaction; returns its id."""
    stmt = (
        audit_log.insert()
        .values(
            at=entry.at,
            actor=entry.actor[:200],
            action=entry.action[:100],
            target=entry.target[:500],
            reason=entry.reason,
            data=dict(entry.data),
        )
        .returning(audit_log.c.id)
    )
    return int(conn.execute(stmt).scalar_one())


def append_audit(engine: Engine, entry: AuditEntry) -> int:
    """Append ``entry`` in its own transaction; returns its id."""
    with engine.begin() as conn:
        return insert_audit(conn, entry)


def audit_entries(
    engine: Engine, since: datetime | None = None, batch: int = 1000
) -> Iterator[AuditEntry]:
    """Every entry at or after ``since``, oldest first, read ``batch`` rows at a time."""
    last_id = 0
    while True:
        stmt = select(audit_log).where(audit_log.c.id > last_id)
        if since is not None:
            stmt = stmt.where(audit_log.c.at >= since)
        rows = list(_fetch(engine, stmt.order_by(audit_log.c.id).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1].id or last_id


def _fetch(engine: Engine, stmt: Any) -> Iterator[AuditEntry]:
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            m = row._mapping
            yield AuditEntry(
                at=m["at"],
                actor=m["actor"],
                action=m["action"],
                target=m["target"],
                reason=m["reason"],
                data=dict(m["data"]),
                id=int(m["id"]),
            )
