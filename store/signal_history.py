"""Read-only queries for the dashboards' charts: a detector's signals over time, lightly.

:func:`signal_points` returns what a chart needs (no ``details`` JSON, so a month of
5-minute windows stays cheap); :func:`last_window_end` says where a model's data ends, so a
chart's time range is relative to the data, not to the wall clock. Both translate
SQLAlchemy errors into :class:`~store.errors.StoreUnavailable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.errors import StoreUnavailable
from store.schema import signals


@dataclass(frozen=True, slots=True)
class SignalPoint:
    """One signal of a chart: when, for which subject, its value against its threshold."""

    window_end: datetime
    subject: str
    value: float | None
    threshold: float | None
    status: str


def signal_points(engine: Engine, model: str, detector: str, since: datetime) -> list[SignalPoint]:
    """Signals of ``detector`` for ``model`` with ``window_end >= since``, oldest first."""
    stmt = (
        select(
            signals.c.window_end,
            signals.c.subject,
            signals.c.value,
            signals.c.threshold,
            signals.c.status,
        )
        .where(
            signals.c.model == model,
            signals.c.window_end >= since,
            signals.c.detector == detector,
        )
        .order_by(signals.c.window_end, signals.c.subject)
    )
    try:
        with engine.connect() as conn:
            rows = list(conn.execute(stmt))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read {detector} signals of {model!r}: {type(exc).__name__}"
        ) from None
    return [
        SignalPoint(
            window_end=row.window_end,
            subject=row.subject,
            value=row.value,
            threshold=row.threshold,
            status=row.status,
        )
        for row in rows
    ]


def last_window_end(engine: Engine, model: str, detector: str) -> datetime | None:
    """The latest ``window_end`` of ``detector``'s signals for ``model``; None if it has none."""
    stmt = select(func.max(signals.c.window_end)).where(
        signals.c.model == model, signals.c.detector == detector
    )
    try:
        with engine.connect() as conn:
            latest = conn.execute(stmt).scalar()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read {detector} signals of {model!r}: {type(exc).__name__}"
        ) from None
    return latest if isinstance(latest, datetime) else None
