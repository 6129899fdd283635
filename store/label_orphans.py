"""Labels waiting for their prediction, and labels that waited too long (orphaned).

A label can arrive before its prediction (the label pipeline is faster than the prediction
log, a replayed spool, clock skew), so ``labels`` keeps a label whose ``(model,
request_id)`` has no prediction yet: the join in :mod:`store.labelled` picks it up as soon as
the prediction is stored. Such a label is *unmatched*. Once it has been unmatched for longer
than the grace period (by ``received_at``), :func:`expire_unmatched` moves it to
``orphaned_labels``: counted, kept for audit, no longer waited for. A prediction arriving
after that is not joined to it.

The move is one ``DELETE ... WHERE NOT EXISTS (prediction) RETURNING`` and an insert, in
one transaction on SQLite and PostgreSQL alike: a label whose prediction was committed
before the statement is never orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, delete, exists, func, select

from store.dml import insert_ignoring_conflicts
from store.schema import labels, orphaned_labels, predictions

_HAS_PREDICTION = exists().where(
    and_(predictions.c.model == labels.c.model, predictions.c.request_id == labels.c.request_id)
)


@dataclass(frozen=True)
class Unmatched:
    """One model's labels without a prediction yet."""

    count: int
    oldest_received_at: datetime | None


def unmatched_labels(engine: Engine) -> dict[str, Unmatched]:
    """Per model, the labels with no prediction (yet), and when the oldest arrived."""
    stmt = (
        select(labels.c.model, func.count(), func.min(labels.c.received_at))
        .where(~_HAS_PREDICTION)
        .group_by(labels.c.model)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return {model: Unmatched(int(count), oldest) for model, count, oldest in rows}


def expire_unmatched(engine: Engine, received_before: datetime, now: datetime) -> dict[str, int]:
    """Move labels unmatched and received before ``received_before`` to ``orphaned_labels``;
    returns how many were moved per model (a label orphaned before counts once)."""
    stmt = (
        delete(labels)
        .where(labels.c.received_at < received_before, ~_HAS_PREDICTION)
        .returning(
            labels.c.model, labels.c.request_id, labels.c.label, labels.c.ts,
            labels.c.received_at,
        )
    )  # fmt: skip
    with engine.begin() as conn:
        moved = [dict(row._mapping) for row in conn.execute(stmt)]
        rows = [{**row, "orphaned_at": now} for row in moved]
        insert_ignoring_conflicts(conn, orphaned_labels, rows, ["model", "request_id"])
    counts: dict[str, int] = {}
    for row in moved:
        counts[row["model"]] = counts.get(row["model"], 0) + 1
    return counts


def orphaned_totals(engine: Engine) -> dict[str, int]:
    """Per model, every label orphaned so far."""
    stmt = select(orphaned_labels.c.model, func.count()).group_by(orphaned_labels.c.model)
    with engine.connect() as conn:
        return {model: int(count) for model, count in conn.execute(stmt)}
