"""The error budget of the current calendar month or week, beside the rolling window.

A rolling 28-day window answers "how reliable have we been lately"; a calendar period answers
"how much budget is left this month", which is what contracts and reviews are written
against. Periods are in UTC; weeks start on Monday (ISO 8601). The period that contains the
evaluation instant is the current one, so at exactly midnight on the 1st a month has just
begun and has no events yet: its budget is unknown (None), not full.

The exhaustion forecast is the calendar one (:func:`slo.burn_rate.calendar_time_to_exhaustion`):
when the ratio so far will cross the objective if errors go on at the current burn rate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from slo.burn_rate import budget_remaining, calendar_time_to_exhaustion
from slo.sli import EventCounts

Calendar = Literal["month", "week"]


def period_bounds(calendar: Calendar, at: datetime) -> tuple[datetime, datetime]:
    """The calendar period ``[start, end)`` that contains ``at`` (aware), in UTC."""
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if calendar == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(weeks=1)
    start = day.replace(day=1)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start, start.replace(year=year, month=month)


def elapsed(calendar: Calendar, at: datetime) -> timedelta:
    """How much of the current period has passed at ``at``: the window to count events in."""
    return at - period_bounds(calendar, at)[0]


def calendar_budget(
    calendar: Calendar,
    at: datetime,
    counts: EventCounts,
    error_budget: float,
    burn: float | None,
) -> dict[str, Any]:
    """The current period's budget: bounds, events, share left and exhaustion forecast.

    ``counts`` are the events from the period's start to ``at``; ``burn`` is the current burn
    rate the forecast assumes (None: no recent data, no forecast).
    """
    start, end = period_bounds(calendar, at)
    remaining = budget_remaining(counts.bad, counts.total, error_budget)
    exhausted_in = (
        None if remaining is None else calendar_time_to_exhaustion(remaining, burn, at - start)
    )
    return {
        "period": calendar,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "events": {"good": counts.good, "total": counts.total},
        "budget_remaining": remaining,
        "budget_exhausted_in_seconds": (
            None if exhausted_in is None else exhausted_in.total_seconds()
        ),
        "exhausted_before_period_end": (
            None if remaining is None else exhausted_in is not None and at + exhausted_in < end
        ),
    }
