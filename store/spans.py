"""OTLP spans: idempotent writes, and the good/total counts span SLIs are computed from.

A span is *good* when its status is ``ok`` and, given a latency threshold, it lasted at
most that many milliseconds (Prometheus ``le`` semantics). The SLO feature turns the
counts into ratios and burn rates; this module only counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import SQLAlchemyError

from store.dml import insert_ignoring_conflicts
from store.errors import StoreUnavailable
from store.schema import spans

#: Rows per INSERT: 13 columns stay under SQLite's bound-parameter limit.
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class SpanCounts:
    """Spans of one service and operation in a window, and how many of them were good."""

    service: str
    operation: str
    good: int
    total: int


def insert_spans(engine: Engine, rows: Sequence[dict[str, Any]]) -> int:
    """Insert span rows; a (trace_id, span_id) already stored is skipped. Returns rows inserted."""
    try:
        with engine.begin() as conn:
            return sum(
                insert_ignoring_conflicts(
                    conn, spans, list(rows[i : i + _CHUNK]), ["trace_id", "span_id"]
                )
                for i in range(0, len(rows), _CHUNK)
            )
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not store spans: {type(exc).__name__}") from None


def span_sli_counts(
    engine: Engine,
    start: datetime,
    end: datetime,
    *,
    latency_ms: float | None = None,
    service: str | None = None,
    operation: str | None = None,
) -> list[SpanCounts]:
    """Good and total spans per (service, operation) that started in ``[start, end)``.

    ``latency_ms`` None counts every ``ok`` span as good (an availability SLI); otherwise
    a good span is also at most that long (a latency SLI). ``service`` and ``operation``
    narrow the result to one service or one operation. Sorted by service, operation.
    """
    good = spans.c.status == "ok"
    if latency_ms is not None:
        good = and_(good, spans.c.duration_ms <= latency_ms)
    stmt = (
        select(
            spans.c.service,
            spans.c.operation,
            func.count().filter(good).label("good"),
            func.count().label("total"),
        )
        .where(spans.c.started_at >= start, spans.c.started_at < end)
        .group_by(spans.c.service, spans.c.operation)
        .order_by(spans.c.service, spans.c.operation)
    )
    if service is not None:
        stmt = stmt.where(spans.c.service == service)
    if operation is not None:
        stmt = stmt.where(spans.c.operation == operation)
    try:
        with engine.connect() as conn:
            return [
                SpanCounts(row.service, row.operation, int(row.good), int(row.total))
                for row in conn.execute(stmt)
            ]
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not count spans: {type(exc).__name__}") from None


def stored_spans(engine: Engine, trace_id: str | None = None) -> list[dict[str, Any]]:
    """Stored span rows (of one trace, or all), oldest first; for tools and tests."""
    stmt = select(spans).order_by(spans.c.started_at, spans.c.span_id)
    if trace_id is not None:
        stmt = stmt.where(spans.c.trace_id == trace_id)
    try:
        with engine.connect() as conn:
            return [dict(row) for row in conn.execute(stmt).mappings()]
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"could not read spans: {type(exc).__name__}") from None
