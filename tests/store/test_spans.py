"""Spans in the store: idempotent inserts and the good/total counts of span SLIs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from store.spans import SpanCounts, insert_spans, span_sli_counts


def _span(
    n: int,
    t0: datetime,
    *,
    service: str = "scoring-api",
    operation: str = "predict",
    duration_ms: float = 10.0,
    status: str = "ok",
    offset_s: float = 0.0,
) -> dict[str, Any]:
    started = t0 + timedelta(seconds=offset_s)
    return {
        "trace_id": f"{n:032x}",
        "span_id": f"{n:016x}",
        "parent_span_id": None,
        "service": service,
        "operation": operation,
        "started_at": started,
        "ended_at": started + timedelta(milliseconds=duration_ms),
        "duration_ms": duration_ms,
        "status": status,
        "model": "credit",
        "model_version": "v1",
        "received_at": t0,
    }


@pytest.fixture
def seeded(engine: Engine, t0: datetime) -> Engine:
    rows = [
        _span(1, t0, duration_ms=50.0),
        _span(2, t0, duration_ms=100.0),  # exactly at the threshold: good
        _span(3, t0, duration_ms=250.0),  # too slow
        _span(4, t0, duration_ms=5.0, status="error"),
        _span(5, t0, operation="explain", duration_ms=20.0),
        _span(6, t0, service="features", operation="lookup", duration_ms=1.0),
        _span(7, t0, offset_s=-1),  # before the window
        _span(8, t0, offset_s=60),  # at the window end: excluded
    ]
    assert insert_spans(engine, rows) == 8
    return engine


def test_a_replayed_span_is_stored_once(engine: Engine, t0: datetime) -> None:
    assert insert_spans(engine, [_span(1, t0), _span(2, t0)]) == 2
    assert insert_spans(engine, [_span(1, t0), _span(3, t0)]) == 1


def test_latency_sli_counts_ok_spans_at_most_the_threshold_per_service_and_operation(
    seeded: Engine, t0: datetime
) -> None:
    got = span_sli_counts(seeded, t0, t0 + timedelta(minutes=1), latency_ms=100.0)
    assert got == [
        SpanCounts("features", "lookup", good=1, total=1),
        SpanCounts("scoring-api", "explain", good=1, total=1),
        SpanCounts("scoring-api", "predict", good=2, total=4),
    ]


def test_availability_sli_counts_every_ok_span_as_good(seeded: Engine, t0: datetime) -> None:
    got = span_sli_counts(
        seeded, t0, t0 + timedelta(minutes=1), service="scoring-api", operation="predict"
    )
    assert got == [SpanCounts("scoring-api", "predict", good=3, total=4)]


def test_a_window_without_spans_counts_nothing(seeded: Engine, t0: datetime) -> None:
    assert span_sli_counts(seeded, t0 + timedelta(hours=1), t0 + timedelta(hours=2)) == []
