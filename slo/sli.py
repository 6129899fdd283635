"""Good and total event counts of an SLO, read from the ``predictions`` table.

What counts:

- ``availability``: every prediction; it is good when ``error`` is null (a failed request is
  logged with ``error`` set).
- ``latency``: predictions with a ``latency_ms``; good when it is at most ``threshold_ms``.
  Events without a latency are not counted at all.

All windows of an evaluation end at the same instant, so they are read in one aggregate
query over the longest of them: one range scan of the ``(model, ts)`` index, with a
``COUNT(CASE ...)`` / ``SUM(CASE ...)`` pair per window. Nothing is fetched row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, func, select, true
from sqlalchemy.exc import SQLAlchemyError

from slo.config import SLISpec, SLOSpec
from store.errors import StoreUnavailable
from store.schema import predictions


@dataclass(frozen=True, slots=True)
class EventCounts:
    """How many events an SLI counted in a window, and how many of them were good."""

    good: int
    total: int

    @property
    def bad(self) -> int:
        return self.total - self.good


def _counted(sli: SLISpec) -> ColumnElement[bool]:
    if sli.kind == "latency":
        return predictions.c.latency_ms.is_not(None)
    return true()


def _good(sli: SLISpec) -> ColumnElement[bool]:
    if sli.kind == "availability":
        return predictions.c.error.is_(None)
    if sli.threshold_ms is None:  # the spec's validator makes this unreachable
        raise ValueError("a latency SLI needs threshold_ms")
    return predictions.c.latency_ms <= sli.threshold_ms


def _read(engine: Engine, slo: SLOSpec, starts: list[datetime], end: datetime) -> list[EventCounts]:
    columns: list[Any] = []
    for i, start in enumerate(starts):
        in_window = predictions.c.ts >= start
        columns.append(func.count(case((in_window, 1))).label(f"total_{i}"))
        good = func.sum(case((and_(in_window, _good(slo.sli)), 1), else_=0))
        columns.append(func.coalesce(good, 0).label(f"good_{i}"))
    stmt = select(*columns).where(
        predictions.c.model == slo.model,
        predictions.c.ts >= min(starts),
        predictions.c.ts < end,
        _counted(slo.sli),
    )
    try:
        with engine.connect() as conn:
            row = conn.execute(stmt).one()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read the SLI of {slo.name!r}: {type(exc).__name__}"
        ) from None
    return [
        EventCounts(good=int(row[2 * i + 1]), total=int(row[2 * i])) for i in range(len(starts))
    ]


def count_events(engine: Engine, slo: SLOSpec, start: datetime, end: datetime) -> EventCounts:
    """The SLO's good and total events with ``start <= ts < end``."""
    if start >= end:
        raise ValueError(f"empty window: start {start} is not before end {end}")
    return _read(engine, slo, [start], end)[0]


def count_windows(
    engine: Engine, slo: SLOSpec, end: datetime, windows: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """For each duration ``d``, the SLO's events with ``end - d <= ts < end``, in one query."""
    spans = sorted(set(windows))
    if not spans or spans[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    counts = _read(engine, slo, [end - span for span in spans], end)
    return dict(zip(spans, counts, strict=True))
