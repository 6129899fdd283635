"""``alerting.time_intervals[]``: named periods, in Alertmanager's ``time_intervals`` syntax.

.. code-block:: yaml

    time_intervals:
      - name: out-of-hours
        time_intervals:
          - times: [{start_time: "18:00", end_time: "24:00"}]
            weekdays: ["monday:friday"]
            location: Europe/Berlin
          - weekdays: [saturday, sunday]

Ranges are inclusive (``monday:friday``, ``1:5``, ``-3:-1`` for the last three days of the
month, ``january:march``, ``2026:2027``); times are ``HH:MM`` with the end excluded and
``24:00`` allowed. Values are checked as Alertmanager checks them, with its messages; the
ranges are kept as integers, so evaluation (:mod:`alerting.time_intervals`) parses nothing.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

Range = tuple[int, int]
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    *("january", "february", "march", "april", "may", "june"),
    *("july", "august", "september", "october", "november", "december"),
)
_TIME = re.compile(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")


def _member(text: str, names: tuple[str, ...], offset: int, numeric: bool) -> int:
    if text in names:
        return names.index(text) + offset
    if numeric:
        try:
            return int(text)
        except ValueError:
            pass
    raise ValueError(f"{text} is not a valid {'month' if offset else 'weekday'}")


def _ranges(values: Any, parse: Any) -> Any:
    if values is None or not isinstance(values, list | tuple):
        return values
    found: list[Range] = []
    for value in values:
        text = str(value).strip().lower()
        parts = text.split(":")
        if len(parts) > 2:
            raise ValueError(f"couldn't parse range {text}, invalid format")
        begin, end = parse(parts[0]), parse(parts[-1])
        found.append((begin, end))
    return tuple(found)


def _weekday(text: str) -> int:
    return _member(text, WEEKDAYS, 0, numeric=False)


def _month(text: str) -> int:
    return _member(text, MONTHS, 1, numeric=True)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{text} is not a valid number") from None


class TimeRange(BaseModel):
    """Minutes of the day from ``start_time`` (included) to ``end_time`` (excluded)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_time: str
    end_time: str

    @field_validator("start_time", "end_time", mode="before")
    @classmethod
    def _sexagesimal(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted 20:00 as the base-60 integer 1200.
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1440:
            return f"{value // 60:02d}:{value % 60:02d}"
        return value

    @field_validator("start_time", "end_time")
    @classmethod
    def _clock(cls, text: str) -> str:
        if not _TIME.match(text):
            raise ValueError(f"couldn't parse timestamp {text}, invalid format")
        return text

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start_minute >= self.end_minute:
            raise ValueError("start time cannot be equal or greater than end time")
        return self

    @property
    def start_minute(self) -> int:
        hours, minutes = self.start_time.split(":")
        return int(hours) * 60 + int(minutes)

    @property
    def end_minute(self) -> int:
        hours, minutes = self.end_time.split(":")
        return int(hours) * 60 + int(minutes)


class TimeInterval(BaseModel):
    """One period; a field left out places no condition (an empty list matches nothing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    times: tuple[TimeRange, ...] | None = None
    weekdays: tuple[Range, ...] | None = None
    days_of_month: tuple[Range, ...] | None = None
    months: tuple[Range, ...] | None = None
    years: tuple[Range, ...] | None = None
    location: str | None = None

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, values: Any) -> Any:
        ranges = _ranges(values, _weekday)
        for begin, end in ranges or ():
            if begin > end:
                raise ValueError("start day cannot be before end day")
        return ranges

    @field_validator("days_of_month", mode="before")
    @classmethod
    def _days(cls, values: Any) -> Any:
        ranges = _ranges(values, _integer)
        for begin, end in ranges or ():
            for day in (begin, end):
                if day == 0 or not -31 <= day <= 31:
                    raise ValueError(f"{day} is not a valid day of the month: out of range")
            if begin < 0 < end:
                raise ValueError("end day must be negative if start day is negative")
            if (28 + begin if begin < 0 else begin) > (28 + end if end < 0 else end):
                raise ValueError(f"end day {end} is always before start day {begin}")
        return ranges

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, values: Any) -> Any:
        ranges = _ranges(values, _month)
        for begin, end in ranges or ():
            if not (1 <= begin <= 12 and 1 <= end <= 12):
                raise ValueError(f"{begin}:{end} is not a valid month range: out of range")
            if begin > end:
                raise ValueError(
                    f"end month {MONTHS[end - 1]} is before start month {MONTHS[begin - 1]}"
                )
        return ranges

    @field_validator("years", mode="before")
    @classmethod
    def _years(cls, values: Any) -> Any:
        ranges = _ranges(values, _integer)
        for begin, end in ranges or ():
            if begin > end:
                raise ValueError(f"end year {end} is before start year {begin}")
        return ranges

    @field_validator("location")
    @classmethod
    def _location(cls, name: str | None) -> str | None:
        if name is None or name == "Local":
            return name
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name


class NamedTimeInterval(BaseModel):
    """A named list of periods; a route is muted (or active) while any of them holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    time_intervals: tuple[TimeInterval, ...] = ()
