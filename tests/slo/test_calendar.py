"""Calendar budgets: period bounds, the exhaustion forecast, and the job reporting them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from slo.burn_rate import calendar_time_to_exhaustion
from slo.calendar import calendar_budget, period_bounds
from slo.config import SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.jobs import slo_job
from slo.sli import EventCounts
from slo.sli_config import SLISpec
from store.predictions import insert_predictions

DAY = timedelta(days=1)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("calendar", "at", "start", "end"),
    [
        pytest.param("month", _utc(2026, 3, 2, 9), _utc(2026, 3, 1), _utc(2026, 4, 1), id="a day in March is in March"),
        pytest.param("month", _utc(2026, 12, 31, 23, 59), _utc(2026, 12, 1), _utc(2027, 1, 1), id="December ends at the new year"),
        pytest.param("month", _utc(2026, 3, 1), _utc(2026, 3, 1), _utc(2026, 4, 1), id="midnight on the 1st starts the month"),
        pytest.param("month", _utc(2028, 2, 29, 12), _utc(2028, 2, 1), _utc(2028, 3, 1), id="a leap February has 29 days"),
        pytest.param("week", _utc(2026, 3, 2, 9), _utc(2026, 3, 2), _utc(2026, 3, 9), id="weeks start on Monday"),
        pytest.param("week", _utc(2026, 3, 8, 23, 59), _utc(2026, 3, 2), _utc(2026, 3, 9), id="Sunday night ends the week"),
        pytest.param(
            "week",
            datetime(2026, 3, 9, 1, 0, tzinfo=timezone(timedelta(hours=2))),
            _utc(2026, 3, 2),
            _utc(2026, 3, 9),
            id="periods are in UTC whatever the zone of the instant",
        ),
    ],
)  # fmt: skip
def test_the_current_period_contains_the_instant(
    calendar: str, at: datetime, start: datetime, end: datetime
) -> None:
    assert period_bounds(calendar, at) == (start, end)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("remaining", "burn", "elapsed", "expected"),
    [
        pytest.param(
            0.5, 2.0, 10 * DAY, 5 * DAY, id="half a budget at 2x after 10 days lasts 5 more"
        ),
        pytest.param(0.5, 3.0, 10 * DAY, 2.5 * DAY, id="at 3x it lasts 2.5 more days"),
        pytest.param(0.5, 1.0, 10 * DAY, None, id="at 1x the ratio never reaches the objective"),
        pytest.param(0.5, 0.0, 10 * DAY, None, id="without errors it is never exhausted"),
        pytest.param(0.0, 5.0, 10 * DAY, timedelta(0), id="a spent budget is exhausted now"),
        pytest.param(0.5, None, 10 * DAY, None, id="no recent data forecasts nothing"),
    ],
)
def test_calendar_exhaustion_forecast(
    remaining: float, burn: float | None, elapsed: timedelta, expected: timedelta | None
) -> None:
    assert calendar_time_to_exhaustion(remaining, burn, elapsed) == expected


def test_the_forecast_is_when_the_ratio_to_date_reaches_the_budget() -> None:
    """10 days of 1000 events a day, 50 bad against a 1% budget, then errors at 3x."""
    budget, per_day, bad = 0.01, 1000, 50
    remaining = 1 - bad / (budget * 10 * per_day)
    t = calendar_time_to_exhaustion(remaining, 3.0, 10 * DAY)
    assert t is not None
    days = t / DAY
    ratio = (bad + 3.0 * budget * per_day * days) / (per_day * (10 + days))
    assert ratio == pytest.approx(budget)


def test_the_calendar_budget_reports_what_is_left_and_whether_it_lasts_the_month() -> None:
    at = _utc(2026, 3, 11)  # 10 days into March; 21 days left
    report = calendar_budget("month", at, EventCounts(good=9950, total=10_000), 0.01, 3.0)
    assert report == {
        "period": "month",
        "start": "2026-03-01T00:00:00+00:00",
        "end": "2026-04-01T00:00:00+00:00",
        "events": {"good": 9950, "total": 10_000},
        "budget_remaining": pytest.approx(0.5),
        "budget_exhausted_in_seconds": pytest.approx(2.5 * 86400),
        "exhausted_before_period_end": True,
    }
    healthy = calendar_budget("month", at, EventCounts(good=9950, total=10_000), 0.01, 0.5)
    assert healthy["exhausted_before_period_end"] is False
    empty = calendar_budget("month", at, EventCounts(good=0, total=0), 0.01, 3.0)
    assert empty["budget_remaining"] is None
    assert empty["exhausted_before_period_end"] is None


MONTHLY = SLOSpec(
    name="credit-availability",
    model="credit",
    sli=SLISpec(kind="availability"),
    objective=99.0,
    window=timedelta(days=7),
    calendar="month",
)


@pytest.mark.parametrize(
    ("end", "calendar_span"),
    [
        pytest.param(_utc(2026, 3, 2, 9), DAY + timedelta(hours=9), id="a day and 9 hours into March"),
        pytest.param(_utc(2026, 3, 1), None, id="nothing to read at the very start of the month"),
    ],
)  # fmt: skip
def test_the_calendar_window_is_read_with_the_others(
    end: datetime, calendar_span: timedelta | None
) -> None:
    windows = MONTHLY.windows()
    needed = set(windows_needed(MONTHLY, windows, end))
    assert needed - set(windows_needed(MONTHLY, windows)) == (
        {calendar_span} if calendar_span else set()
    )
    counts = {span: EventCounts(good=10, total=10) for span in needed}
    details = evaluate(MONTHLY, windows, counts, end).details
    expected = {"good": 10, "total": 10} if calendar_span else {"good": 0, "total": 0}
    assert details["calendar"]["events"] == expected


def test_the_job_counts_only_this_months_events_for_the_calendar_budget(
    sqlite_engine: Engine, prediction_row
) -> None:
    end = _utc(2026, 3, 2, 9)
    rows = [prediction_row("credit", _utc(2026, 2, 27) + i * timedelta(hours=1)) for i in range(81)]
    rows += [prediction_row("credit", _utc(2026, 3, 2, 8, 30), error="timeout")]
    insert_predictions(sqlite_engine, rows)

    [signal] = slo_job(sqlite_engine, [MONTHLY], interval=timedelta(minutes=1)).run(end)

    march = signal.details["calendar"]
    # 24 + 9 hourly predictions since March 1st (the last at 08:00), plus the failed one.
    assert march["events"] == {"good": 33, "total": 34}
    assert march["budget_remaining"] == pytest.approx(1 - (1 / 34) / 0.01)
    assert march["exhausted_before_period_end"] is True
    assert signal.details["events"]["7d"]["total"] == 82
