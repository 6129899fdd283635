"""Whether a moment falls in a time interval, as Alertmanager's ``timeinterval`` package says.

Pure functions of the validated config (:mod:`alerting.config.time_intervals`) and a time.
The time is first converted to the interval's ``location`` (UTC when unset; ``Local`` is the
server's zone). Every condition that is set must hold; within a condition, any range may
match. Negative days of the month count from its end (``-1`` is the last day); a range that
starts after the end of a short month does not match in it.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alerting.config.time_intervals import NamedTimeInterval, Range, TimeInterval


def _local(at: datetime, location: str | None) -> datetime:
    if location is None:
        return at.astimezone(UTC)
    if location == "Local":
        return at.astimezone()
    return at.astimezone(ZoneInfo(location))


def _in_ranges(value: int, ranges: Sequence[Range]) -> bool:
    return any(begin <= value <= end for begin, end in ranges)


def _in_days_of_month(at: datetime, ranges: Sequence[Range]) -> bool:
    days = calendar.monthrange(at.year, at.month)[1]
    for begin, end in ranges:
        first = days + begin + 1 if begin < 0 else begin
        last = days + end + 1 if end < 0 else end
        if first > days:
            continue
        first, last = max(min(first, days), -days), max(min(last, days), -days)
        if first <= at.day <= last:
            return True
    return False


def contains(interval: TimeInterval, at: datetime) -> bool:
    """Whether ``at`` (an aware datetime) falls in the period."""
    local = _local(at, interval.location)
    if interval.times is not None:
        minute = local.hour * 60 + local.minute
        if not any(t.start_minute <= minute < t.end_minute for t in interval.times):
            return False
    if interval.days_of_month is not None and not _in_days_of_month(local, interval.days_of_month):
        return False
    if interval.months is not None and not _in_ranges(local.month, interval.months):
        return False
    weekday = local.isoweekday() % 7  # Alertmanager counts from Sunday = 0
    if interval.weekdays is not None and not _in_ranges(weekday, interval.weekdays):
        return False
    return interval.years is None or _in_ranges(local.year, interval.years)


def in_named(named: NamedTimeInterval, at: datetime) -> bool:
    """Whether any period of a named interval contains ``at``."""
    return any(contains(interval, at) for interval in named.time_intervals)


def time_muted(
    mute: Sequence[str],
    active: Sequence[str],
    intervals: Mapping[str, NamedTimeInterval],
    at: datetime,
) -> bool:
    """Whether a route is muted at ``at``: inside a mute interval or outside every active one.

    Names that are not defined count as never holding (the config checks reject them).
    """
    if any(name in intervals and in_named(intervals[name], at) for name in mute):
        return True
    if active:
        return not any(name in intervals and in_named(intervals[name], at) for name in active)
    return False
