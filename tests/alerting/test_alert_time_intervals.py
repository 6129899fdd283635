"""Whether a moment is in a time interval, as Alertmanager's timeinterval tests check it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from alerting.config import NamedTimeInterval, TimeInterval
from alerting.time_intervals import contains, time_muted


def interval(**fields: Any) -> TimeInterval:
    return TimeInterval.model_validate(fields)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("fields", "moment", "inside"),
    [
        pytest.param({}, "2026-03-02T09:00:00+00:00", True, id="no condition holds always"),
        pytest.param(
            {"times": [{"start_time": "09:00", "end_time": "17:00"}]},
            "2026-03-02T17:00:00+00:00",
            False,
            id="the end time is excluded",
        ),
        pytest.param(
            {"times": [{"start_time": "09:00", "end_time": "17:00"}]},
            "2026-03-02T09:00:00+00:00",
            True,
            id="the start time is included",
        ),
        pytest.param(
            {"times": [{"start_time": "22:00", "end_time": "24:00"}]},
            "2026-03-02T23:59:00+00:00",
            True,
            id="24:00 ends the day",
        ),
        pytest.param(
            {"weekdays": ["saturday", "sunday"]},
            "2026-03-01T12:00:00+00:00",
            True,
            id="a Sunday is a weekday named sunday",
        ),
        pytest.param(
            {"weekdays": ["monday:friday"]},
            "2026-03-07T12:00:00+00:00",
            False,
            id="a Saturday is outside monday:friday",
        ),
        pytest.param(
            {"days_of_month": ["-1"]},
            "2026-02-28T12:00:00+00:00",
            True,
            id="-1 is the last day of a 28-day February",
        ),
        pytest.param(
            {"days_of_month": ["-3:-1"]},
            "2026-03-28T12:00:00+00:00",
            False,
            id="-3:-1 starts on the 29th of March",
        ),
        pytest.param(
            {"days_of_month": ["30:31"]},
            "2026-02-28T12:00:00+00:00",
            False,
            id="a range starting after the month's end does not match in it",
        ),
        pytest.param(
            {"months": ["november:december"], "years": ["2026"]},
            "2026-12-31T23:00:00+00:00",
            True,
            id="month names and a single year",
        ),
        pytest.param(
            {"years": ["2027:2030"]},
            "2026-12-31T23:00:00+00:00",
            False,
            id="a year before the range",
        ),
        pytest.param(
            {"times": [{"start_time": "09:00", "end_time": "17:00"}], "location": "Europe/Berlin"},
            "2026-03-02T08:30:00+00:00",
            True,
            id="times are read in the interval's location (09:30 in Berlin)",
        ),
        pytest.param(
            {"weekdays": ["monday"], "location": "Asia/Tokyo"},
            "2026-03-01T16:00:00+00:00",
            True,
            id="the weekday is the location's (Sunday in UTC, Monday in Tokyo)",
        ),
        pytest.param({"weekdays": []}, "2026-03-02T09:00:00+00:00", False, id="an empty list"),
    ],
)
def test_contains(fields: dict[str, Any], moment: str, inside: bool) -> None:
    assert contains(interval(**fields), at(moment)) is inside


NAMED = {
    "nights": NamedTimeInterval.model_validate(
        {
            "name": "nights",
            "time_intervals": [{"times": [{"start_time": "00:00", "end_time": "06:00"}]}],
        }
    ),
    "weekdays": NamedTimeInterval.model_validate(
        {"name": "weekdays", "time_intervals": [{"weekdays": ["monday:friday"]}]}
    ),
}


@pytest.mark.parametrize(
    ("mute", "active", "moment", "muted"),
    [
        pytest.param(
            ["nights"], [], "2026-03-02T03:00:00+00:00", True, id="inside a mute interval"
        ),
        pytest.param(["nights"], [], "2026-03-02T07:00:00+00:00", False, id="outside it"),
        pytest.param(
            [], ["weekdays"], "2026-03-07T12:00:00+00:00", True, id="outside every active"
        ),
        pytest.param([], ["weekdays"], "2026-03-06T12:00:00+00:00", False, id="inside an active"),
        pytest.param(
            ["nights"], ["weekdays"], "2026-03-06T03:00:00+00:00", True, id="mute wins over active"
        ),
        pytest.param([], [], "2026-03-07T03:00:00+00:00", False, id="no intervals, never muted"),
    ],
)
def test_time_muted(mute: list[str], active: list[str], moment: str, muted: bool) -> None:
    assert time_muted(mute, active, NAMED, at(moment)) is muted
