"""Good and total counts read from the predictions table, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from slo.config import SLISpec, SLOSpec
from slo.sli import EventCounts, count_events, count_model_windows, count_windows
from store.predictions import insert_predictions

MIN = timedelta(minutes=1)


def _slo(sli: SLISpec, model: str = "credit") -> SLOSpec:
    return SLOSpec(name=f"{model}-{sli.kind}", model=model, sli=sli, objective=99.0)


AVAILABILITY = _slo(SLISpec(kind="availability"))
LATENCY = _slo(SLISpec(kind="latency", threshold_ms=100))


@pytest.fixture
def stored(engine: Engine, t0: datetime, prediction_row) -> Engine:
    """Ten minutes of traffic before t0: one event a minute, plus edge cases."""
    rows = [prediction_row("credit", t0 - (i + 1) * MIN, latency_ms=50.0) for i in range(10)]
    rows += [
        prediction_row("credit", t0 - 2 * MIN, error="timeout", latency_ms=5000.0),
        prediction_row("credit", t0 - 3 * MIN, error="bad input", latency_ms=None),
        prediction_row("credit", t0 - 4 * MIN, latency_ms=100.0),
        prediction_row("credit", t0 - 4 * MIN, latency_ms=100.5),
        prediction_row("credit", t0, error="at the end: outside"),
        prediction_row("other", t0 - MIN, error="another model"),
    ]
    insert_predictions(engine, rows)
    return engine


@pytest.mark.parametrize(
    ("slo", "expected"),
    [
        pytest.param(AVAILABILITY, EventCounts(good=12, total=14), id="availability counts errors"),
        pytest.param(
            LATENCY,
            EventCounts(good=11, total=13),
            id="latency counts the threshold as good and skips missing latencies",
        ),
    ],
)
def test_counts_over_a_window(
    stored: Engine, t0: datetime, slo: SLOSpec, expected: EventCounts
) -> None:
    assert count_events(stored, slo, t0 - 10 * MIN, t0) == expected


def test_a_window_includes_its_start_and_excludes_its_end(stored: Engine, t0: datetime) -> None:
    counts = count_events(stored, AVAILABILITY, t0 - 2 * MIN, t0)
    assert counts == EventCounts(good=2, total=3)
    assert counts.bad == 1


def test_all_windows_are_read_at_once_and_keyed_by_duration(stored: Engine, t0: datetime) -> None:
    counts = count_windows(stored, AVAILABILITY, t0, [5 * MIN, 2 * MIN, timedelta(days=30)])
    assert counts == {
        2 * MIN: EventCounts(good=2, total=3),
        5 * MIN: EventCounts(good=7, total=9),
        timedelta(days=30): EventCounts(good=12, total=14),
    }


def test_a_model_without_events_counts_zero(stored: Engine, t0: datetime) -> None:
    idle = _slo(SLISpec(kind="availability"), model="idle")
    assert count_windows(stored, idle, t0, [MIN, timedelta(days=28)]) == {
        MIN: EventCounts(good=0, total=0),
        timedelta(days=28): EventCounts(good=0, total=0),
    }


@pytest.mark.parametrize(
    "windows",
    [pytest.param([], id="no window"), pytest.param([timedelta(0)], id="an empty window")],
)
def test_windows_must_be_given_and_positive(
    sqlite_engine: Engine, t0: datetime, windows: list[timedelta]
) -> None:
    with pytest.raises(ValueError, match="positive"):
        count_windows(sqlite_engine, AVAILABILITY, t0, windows)


def test_the_slis_of_one_model_read_together_count_as_if_read_alone(
    stored: Engine, t0: datetime
) -> None:
    spans = [2 * MIN, 5 * MIN, 10 * MIN, timedelta(days=30)]
    slis = [AVAILABILITY.sli, LATENCY.sli, SLISpec(kind="latency", threshold_ms=50)]

    together = count_model_windows(stored, "credit", slis, t0, spans)

    alone = [count_windows(stored, _slo(sli), t0, spans) for sli in slis]
    assert together == alone
    assert together[2][10 * MIN] == EventCounts(good=10, total=13)


def test_quality_slis_are_not_counted_from_predictions(sqlite_engine: Engine, t0: datetime) -> None:
    quality = SLISpec(
        kind="quality", detector="drift", metric="breach_share", target={"at_most": 0.3}
    )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="quality SLI is not counted from predictions"):
        count_model_windows(sqlite_engine, "credit", [quality], t0, [MIN])
