"""Availability and latency SLIs read from the spans table, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import Engine

from slo.config import SLISpec, SLOSpec
from slo.jobs import count_slos
from slo.sli import EventCounts, count_model_windows
from slo.span_sli import count_span_windows
from store.predictions import insert_predictions
from store.spans import insert_spans

MIN = timedelta(minutes=1)
_IDS = count(1)


def _slo(name: str, **sli: Any) -> SLOSpec:
    return SLOSpec(name=name, model="credit", sli=SLISpec(**sli), objective=99)


AVAILABILITY = _slo("api-availability", kind="availability", source="spans", service="scoring-api")
PREDICT = _slo(
    "predict-availability",
    kind="availability",
    source="spans",
    service="scoring-api",
    operation="predict",
)
LATENCY = _slo(
    "api-latency", kind="latency", source="spans", service="scoring-api", threshold_ms=100
)


def _span(
    started: datetime,
    *,
    operation: str = "predict",
    duration_ms: float = 10.0,
    status: str = "ok",
    service: str = "scoring-api",
) -> dict[str, Any]:
    n = next(_IDS)
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
        "received_at": started,
    }


@pytest.fixture
def stored(engine: Engine, t0: datetime) -> Engine:
    """Ten minutes of one predict span a minute before t0, plus edge cases."""
    rows = [_span(t0 - (i + 1) * MIN) for i in range(10)]
    rows += [
        _span(t0 - 2 * MIN, status="error"),
        _span(t0 - 3 * MIN, duration_ms=100.0),  # at the threshold: good
        _span(t0 - 3 * MIN, duration_ms=250.0),  # too slow
        _span(t0 - 4 * MIN, operation="explain", status="error", duration_ms=1.0),
        _span(t0 - 1 * MIN, service="feature-store"),  # another service
        _span(t0, status="error"),  # at the end: outside
    ]
    insert_spans(engine, rows)
    return engine


@pytest.mark.parametrize(
    ("slo", "expected"),
    [
        pytest.param(
            AVAILABILITY,
            {2 * MIN: (2, 3), 5 * MIN: (7, 9), 60 * MIN: (12, 14)},
            id="availability counts every operation of the service and errors as bad",
        ),
        pytest.param(
            PREDICT,
            {2 * MIN: (2, 3), 5 * MIN: (7, 8), 60 * MIN: (12, 13)},
            id="an operation narrows the spans counted",
        ),
        pytest.param(
            LATENCY,
            {2 * MIN: (2, 3), 5 * MIN: (6, 9), 60 * MIN: (11, 14)},
            id="latency counts the threshold as good and slow or failed spans as bad",
        ),
    ],
)
def test_nested_windows_count_spans_that_started_inside(
    stored: Engine, t0: datetime, slo: SLOSpec, expected: dict[timedelta, tuple[int, int]]
) -> None:
    counts = count_span_windows(stored, slo, t0, expected)
    assert {span: (c.good, c.total) for span, c in counts.items()} == expected


def test_the_job_counts_span_slis_from_spans_beside_prediction_slis(
    stored: Engine, t0: datetime, prediction_row
) -> None:
    insert_predictions(stored, [prediction_row("credit", t0 - MIN, error="boom")])
    on_predictions = _slo("availability", kind="availability")
    spans, predictions = count_slos(
        stored, [(AVAILABILITY, [5 * MIN]), (on_predictions, [5 * MIN])], t0
    )
    assert spans == {5 * MIN: EventCounts(good=7, total=9)}
    assert predictions == {5 * MIN: EventCounts(good=0, total=1)}


def test_span_slis_are_not_counted_from_predictions(sqlite_engine: Engine, t0: datetime) -> None:
    with pytest.raises(ValueError, match="SLI of spans is not counted from predictions"):
        count_model_windows(sqlite_engine, "credit", [AVAILABILITY.sli], t0, [MIN])
    with pytest.raises(ValueError, match="does not read spans"):
        count_span_windows(sqlite_engine, _slo("p", kind="availability"), t0, [MIN])
