"""Storing detector findings and reading them back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import Engine, Row, and_, func, select

from store.dml import insert_ignoring_conflicts
from store.records import Signal, StoredSignal
from store.schema import signals


def write_signals(engine: Engine, found: Sequence[Signal], now: datetime) -> int:
    """Store signals; a signal already stored for (detector, model, subject, window_end) is kept.

    Returns how many were new. Re-running a job for the same window is therefore harmless.
    """
    rows = [{**asdict(signal), "created_at": now} for signal in found]
    with engine.begin() as conn:
        return insert_ignoring_conflicts(
            conn, signals, rows, ["detector", "model", "subject", "window_end"]
        )


def _to_stored(row: Row) -> StoredSignal:  # type: ignore[type-arg]
    m = row._mapping
    return StoredSignal(
        id=int(m["id"]),
        created_at=m["created_at"],
        signal=Signal(
            detector=m["detector"],
            model=m["model"],
            subject=m["subject"],
            metric=m["metric"],
            window_start=m["window_start"],
            window_end=m["window_end"],
            value=m["value"],
            threshold=m["threshold"],
            status=m["status"],
            sample_size=int(m["sample_size"]),
            details=dict(m["details"] or {}),
        ),
    )


def signals_after(engine: Engine, after_id: int, limit: int = 10_000) -> list[StoredSignal]:
    """Signals with an id above ``after_id``, oldest first: how rules consume new findings."""
    stmt = select(signals).where(signals.c.id > after_id).order_by(signals.c.id).limit(limit)
    with engine.connect() as conn:
        return [_to_stored(row) for row in conn.execute(stmt)]


def latest_signals(engine: Engine, model: str, detector: str | None = None) -> list[StoredSignal]:
    """For one model, the most recent signal of every (detector, subject)."""
    latest = (
        select(
            signals.c.detector,
            signals.c.subject,
            func.max(signals.c.window_end).label("window_end"),
        )
        .where(signals.c.model == model)
        .group_by(signals.c.detector, signals.c.subject)
    )
    if detector is not None:
        latest = latest.where(signals.c.detector == detector)
    sub = latest.subquery()
    stmt = (
        select(signals)
        .join(
            sub,
            and_(
                signals.c.detector == sub.c.detector,
                signals.c.subject == sub.c.subject,
                signals.c.window_end == sub.c.window_end,
            ),
        )
        .where(signals.c.model == model)
        .order_by(signals.c.detector, signals.c.subject)
    )
    with engine.connect() as conn:
        return [_to_stored(row) for row in conn.execute(stmt)]


def signal_history(
    engine: Engine, model: str, detector: str, since: datetime | None = None
) -> list[StoredSignal]:
    """All signals of one detector for one model, oldest first (for charts)."""
    stmt = select(signals).where(signals.c.model == model, signals.c.detector == detector)
    if since is not None:
        stmt = stmt.where(signals.c.window_end >= since)
    stmt = stmt.order_by(signals.c.window_end, signals.c.subject)
    with engine.connect() as conn:
        return [_to_stored(row) for row in conn.execute(stmt)]
