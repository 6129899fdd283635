"""Labels upserted: a later label for a request replaces the stored one, with an audit entry.

Ground truth gets corrected (a chargeback reversed, a claim re-assessed), so a second label
for the same ``(model, request_id)`` replaces the stored one when its ``ts`` is **newer**.
Each replacement appends one ``audit_log`` entry (actor ``collector``, action
``label.replaced``, target ``<model>/<request_id>``, data: the old and new label and times)
in the same transaction as the change, so the two cannot disagree.

Idempotent: re-sending a stored label (same ``ts``) or an older one changes nothing and
writes no audit entry, so a replayed spool is harmless. Within one batch, the newest label
of each request is the one considered (ties: the first sent).

The replacement is a conditional ``UPDATE ... WHERE ts < :new_ts`` on both SQLite and
PostgreSQL: of two writers racing to correct the same label, only a newer one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, select

from store.audit import AuditEntry, insert_audit
from store.dml import insert_returning_keys
from store.schema import labels

ACTOR = "collector"
ACTION = "label.replaced"


def newest_per_request(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per ``(model, request_id)``: the newest by ``ts``, the first on a tie."""
    chosen: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["model"], row["request_id"])
        if key not in chosen or row["ts"] > chosen[key]["ts"]:
            chosen[key] = row
    return list(chosen.values())


def _stored(conn: Connection, rows: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """The stored labels of ``rows``' requests, by ``(model, request_id)``.

    One ``model = :m AND request_id IN (...)`` per model. Only rows that collided on insert
    are looked up: with stale statistics PostgreSQL plans this as a scan of the model's
    labels, which made label ingestion quadratic when every chunk was looked up first.
    """
    by_model: dict[str, list[str]] = {}
    for row in rows:
        by_model.setdefault(row["model"], []).append(row["request_id"])
    found: dict[tuple[str, str], Any] = {}
    for model, request_ids in by_model.items():
        stmt = select(labels.c.model, labels.c.request_id, labels.c.label, labels.c.ts).where(
            labels.c.model == model, labels.c.request_id.in_(request_ids)
        )
        found.update({(m.model, m.request_id): m for m in conn.execute(stmt)})
    return found


def _replace(conn: Connection, row: dict[str, Any], old: Any) -> int:
    """Replace the stored label when ``row`` is newer; audit it. Returns 1 if replaced."""
    stmt = (
        labels.update()
        .where(
            and_(
                labels.c.model == row["model"],
                labels.c.request_id == row["request_id"],
                labels.c.ts < row["ts"],
            )
        )
        .values(label=row["label"], ts=row["ts"], received_at=row["received_at"])
    )
    if conn.execute(stmt).rowcount != 1:
        return 0
    entry = AuditEntry(
        at=row["received_at"],
        actor=ACTOR,
        action=ACTION,
        target=f"{row['model']}/{row['request_id']}",
        data={
            "old": {"label": old.label, "ts": old.ts.isoformat()},
            "new": {"label": row["label"], "ts": row["ts"].isoformat()},
        },
    )
    insert_audit(conn, entry)
    return 1


def upsert_labels(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert new labels and replace older stored ones on an open transaction; returns how
    many rows were inserted or replaced."""
    batch = newest_per_request(rows)
    if not batch:
        return 0
    # Insert first: most labels are new, and then no read is needed at all. Only the rows
    # that collided with a stored label are looked up and, when newer, replace it.
    inserted = insert_returning_keys(conn, labels, batch, ["model", "request_id"])
    collided = [r for r in batch if (r["model"], r["request_id"]) not in inserted]
    stored = _stored(conn, collided) if collided else {}
    changed = 0
    for row in collided:
        old = stored.get((row["model"], row["request_id"]))
        if old is not None and row["ts"] > old.ts:
            changed += _replace(conn, row, old)
    return changed + len(inserted)
