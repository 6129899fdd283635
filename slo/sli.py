"""Good and total event counts of availability and latency SLOs, from ``predictions``.

What counts:

- ``availability``: every prediction; it is good when ``error`` is null (a failed request is
  logged with ``error`` set).
- ``latency``: predictions with a ``latency_ms``; good when it is at most ``threshold_ms``.
  Events without a latency are not counted at all.

(Quality SLIs count detector windows instead: :mod:`slo.quality`; freshness SLIs count
minutes: :mod:`slo.freshness`; SLIs with ``source: spans`` count spans: :mod:`slo.span_sli`.)

All windows of an evaluation end at the same instant, so they are nested, and the time from
the longest window's start to the end splits into segments between consecutive window starts.
One statement reads every segment (a ``UNION ALL`` of one range scan of the ``(model, ts)``
index each, with one ``COUNT``/``SUM`` per SLI); a window's counts are the sums of the
segments inside it. Every event is read once, nothing is sorted, nothing is fetched row by
row, and the SLIs of one model share the scan (:func:`count_model_windows`). On 30 days of
one event a minute this is about 4x faster than a ``CASE`` per window and per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Engine, bindparam, case, func, literal, select, union_all
from sqlalchemy.exc import SQLAlchemyError

from slo.config import SLISpec, SLOSpec
from store.errors import StoreUnavailable
from store.schema import UTCDateTime, predictions


@dataclass(frozen=True, slots=True)
class EventCounts:
    """How many events an SLI counted in a window, and how many of them were good."""

    good: int
    total: int

    @property
    def bad(self) -> int:
        return self.total - self.good


def _total(sli: SLISpec) -> ColumnElement[Any]:
    if sli.kind == "latency":
        return func.count(predictions.c.latency_ms)
    return func.count()


def _good(sli: SLISpec) -> ColumnElement[bool]:
    if sli.source != "predictions":
        raise ValueError(f"an SLI of {sli.source} is not counted from predictions")
    if sli.kind == "availability":
        return predictions.c.error.is_(None)
    if sli.kind != "latency" or sli.threshold_ms is None:
        raise ValueError(f"a {sli.kind} SLI is not counted from predictions")
    return predictions.c.latency_ms <= sli.threshold_ms


@lru_cache(maxsize=256)
def _ranges_statement(kinds: tuple[str, ...], ranges: int) -> Any:
    """The ``UNION ALL`` of ``ranges`` range scans counting SLIs of ``kinds``, with bound
    parameters (built once per shape: building SQLAlchemy statements costs more than running
    these on a small range)."""
    columns: list[Any] = []
    for k, kind in enumerate(kinds):
        if kind == "latency":
            total: ColumnElement[Any] = func.count(predictions.c.latency_ms)
            good: ColumnElement[bool] = predictions.c.latency_ms <= bindparam(f"threshold{k}")
        else:
            total, good = func.count(), predictions.c.error.is_(None)
        columns += [total, func.coalesce(func.sum(case((good, 1), else_=0)), 0)]
    parts = [
        select(literal(i).label("segment"), *columns).where(
            predictions.c.model == bindparam("model"),
            predictions.c.ts >= bindparam(f"start{i}", type_=UTCDateTime),
            predictions.c.ts < bindparam(f"end{i}", type_=UTCDateTime),
        )
        for i in range(ranges)
    ]
    return union_all(*parts)


def count_ranges(
    engine: Engine, model: str, slis: Sequence[SLISpec], ranges: Sequence[tuple[datetime, datetime]]
) -> list[list[EventCounts]]:
    """Per range ``[start, end)``, each SLI's counts from the raw rows, in one statement."""
    if not ranges:
        return []
    for sli in slis:
        _good(sli)  # refuses SLIs not counted from predictions
    params: dict[str, Any] = {"model": model}
    for k, sli in enumerate(slis):
        params[f"threshold{k}"] = sli.threshold_ms
    for i, (start, end) in enumerate(ranges):
        params[f"start{i}"], params[f"end{i}"] = start, end
    statement = _ranges_statement(tuple(sli.kind for sli in slis), len(ranges))
    try:
        with engine.connect() as conn:
            rows = conn.execute(statement, params).all()
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"could not read the SLIs of model {model!r}: {type(exc).__name__}"
        ) from None
    found = {int(row[0]): row for row in rows}
    return [
        [
            EventCounts(good=int(found[i][2 + 2 * k]), total=int(found[i][1 + 2 * k]))
            for k in range(len(slis))
        ]
        for i in range(len(ranges))
    ]


def _segments(
    engine: Engine, model: str, slis: Sequence[SLISpec], bounds: list[datetime]
) -> list[list[EventCounts]]:
    """Per segment ``[bounds[i + 1], bounds[i])`` (latest first), each SLI's counts."""
    ranges = [(bounds[i + 1], bounds[i]) for i in range(len(bounds) - 1)]
    return count_ranges(engine, model, slis, ranges)


def cumulate(
    spans: Sequence[timedelta], segments: Sequence[Sequence[EventCounts]], slis: int
) -> list[dict[timedelta, EventCounts]]:
    """Each SLI's window counts from its segment counts (``spans`` shortest first)."""
    counts: list[dict[timedelta, EventCounts]] = [{} for _ in range(slis)]
    for k in range(slis):
        good = total = 0
        for span, segment in zip(spans, segments, strict=True):
            good, total = good + segment[k].good, total + segment[k].total
            counts[k][span] = EventCounts(good=good, total=total)
    return counts


def count_model_windows(
    engine: Engine,
    model: str,
    slis: Sequence[SLISpec],
    end: datetime,
    windows: Iterable[timedelta],
) -> list[dict[timedelta, EventCounts]]:
    """For each SLI of ``model`` and each duration ``d``: events with ``end - d <= ts < end``."""
    spans = sorted(set(windows))
    if not spans or spans[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    bounds = [end] + [end - span for span in spans]
    return cumulate(spans, _segments(engine, model, slis, bounds), len(slis))


def count_windows(
    engine: Engine, slo: SLOSpec, end: datetime, windows: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """For each duration ``d``, the SLO's events with ``end - d <= ts < end``, in one query."""
    return count_model_windows(engine, slo.model, [slo.sli], end, windows)[0]


def count_events(engine: Engine, slo: SLOSpec, start: datetime, end: datetime) -> EventCounts:
    """The SLO's good and total events with ``start <= ts < end``."""
    if start >= end:
        raise ValueError(f"empty window: start {start} is not before end {end}")
    return count_windows(engine, slo, end, [end - start])[end - start]
