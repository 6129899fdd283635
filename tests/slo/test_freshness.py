"""Freshness SLIs as a pure function: which minutes of a window count, and which are fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from slo.config import SLISpec, SLOSpec
from slo.freshness import count_fresh_minutes
from slo.metrics import sli_queries
from slo.sli import EventCounts
from slo.vigil_rules import vigil_prom_slo
from store.freshness import FreshnessHistory

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
END = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAX_AGE = 2 * HOUR
MIDNIGHT = datetime(2026, 3, 2, tzinfo=UTC)


def _at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=UTC)


def _history(
    first: datetime | None = MIDNIGHT,
    before: datetime | None = None,
    *runs: tuple[datetime, datetime],
) -> FreshnessHistory:
    return FreshnessHistory(first_report=first, fresh_before=before, runs=tuple(runs))


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        pytest.param(
            _history(_at(0), _at(7, 30)),
            EventCounts(good=60, total=60),
            id="output younger than max age all hour keeps every minute fresh",
        ),
        pytest.param(
            _history(_at(0), _at(6, 30)),
            EventCounts(good=31, total=60),
            id="output turns stale after the minute it is exactly max age old",
        ),
        pytest.param(
            _history(_at(0), _at(5), (_at(8, 20), _at(8))),
            EventCounts(good=40, total=60),
            id="a run finishing mid window makes it fresh from the minute it finished",
        ),
        pytest.param(
            _history(_at(0), _at(5), (_at(8, 20), _at(6, 30))),
            EventCounts(good=11, total=60),
            id="age counts from the output freshness not from the finish",
        ),
        pytest.param(
            _history(_at(0), _at(8), (_at(8, 10), _at(3))),
            EventCounts(good=60, total=60),
            id="a backfill of older output does not make the pipeline staler",
        ),
        pytest.param(
            _history(_at(7), None),
            EventCounts(good=0, total=60),
            id="a pipeline that reported runs but never succeeded is stale",
        ),
        pytest.param(
            _history(_at(8, 30, 30), None, (_at(8, 45), _at(8, 40))),
            EventCounts(good=15, total=29),
            id="minutes before the first report are not counted",
        ),
        pytest.param(
            _history(None, None),
            EventCounts(good=0, total=0),
            id="a pipeline that never reported has no data",
        ),
    ],
)
def test_an_hour_of_minutes(history: FreshnessHistory, expected: EventCounts) -> None:
    assert count_fresh_minutes(history, MAX_AGE, END, [HOUR]) == {HOUR: expected}


def test_every_window_is_counted_from_one_grid_and_nested_windows_add_up() -> None:
    history = _history(_at(0), _at(6, 30), (_at(8, 57), _at(8, 55)))
    counts = count_fresh_minutes(history, MAX_AGE, END, [5 * MIN, HOUR, 3 * HOUR])
    assert counts == {
        5 * MIN: EventCounts(good=3, total=5),
        HOUR: EventCounts(good=34, total=60),
        3 * HOUR: EventCounts(good=154, total=180),
    }


def test_consecutive_ticks_count_each_whole_minute_once() -> None:
    history = _history(_at(0), _at(8))
    ends = [END + i * timedelta(seconds=20) for i in range(1, 10)]
    starts = [END, *ends[:-1]]
    totals = [
        count_fresh_minutes(history, MAX_AGE, end, [end - start])[end - start].total
        for start, end in zip(starts, ends, strict=True)
    ]
    assert totals == [1, 0, 0, 1, 0, 0, 1, 0, 0]


@pytest.mark.parametrize(
    "spans",
    [pytest.param([], id="no window"), pytest.param([timedelta(0)], id="an empty window")],
)
def test_windows_must_be_given_and_positive(spans: list[timedelta]) -> None:
    with pytest.raises(ValueError, match="positive"):
        count_fresh_minutes(_history(), MAX_AGE, END, spans)


def test_freshness_slos_export_rules_over_the_same_counters_as_any_slo() -> None:
    slo = SLOSpec(
        name="credit-features-fresh",
        model="credit",
        sli=SLISpec(kind="freshness", pipeline="credit-features-daily", max_age=26 * HOUR),
        objective=99,
    )
    assert vigil_prom_slo(slo).sli == sli_queries("credit", "credit-features-fresh")
