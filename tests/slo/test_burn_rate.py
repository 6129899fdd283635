"""Burn rates, alert decisions and error budgets, as tables of plain numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slo.burn_rate import (
    alert_fires,
    budget_remaining,
    burn_rate,
    error_ratio,
    time_to_exhaustion,
    time_to_fire,
    time_to_reset,
)

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("bad", "total", "budget", "expected"),
    [
        pytest.param(0, 0, 0.001, None, id="a window without events has no burn rate"),
        pytest.param(0, 500, 0.001, 0.0, id="a window without errors burns nothing"),
        pytest.param(1, 1000, 0.001, 1.0, id="errors at exactly the budget burn at 1x"),
        pytest.param(144, 10_000, 0.001, 14.4, id="1.44% errors against 99.9% burn at 14.4x"),
        pytest.param(10, 10, 0.005, 200.0, id="all errors against 99.5% burn at 200x"),
    ],
)
def test_burn_rate(bad: int, total: int, budget: float, expected: float | None) -> None:
    result = burn_rate(bad, total, budget)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("bad", "total"),
    [
        pytest.param(-1, 10, id="negative bad counts are a bug"),
        pytest.param(11, 10, id="more bad than total events is a bug"),
    ],
)
def test_impossible_counts_are_rejected(bad: int, total: int) -> None:
    with pytest.raises(ValueError, match="bad <= total"):
        error_ratio(bad, total)


@pytest.mark.parametrize("budget", [0.0, 1.0, -0.1], ids=lambda b: f"an error budget of {b}")
def test_error_budgets_outside_zero_and_one_are_rejected(budget: float) -> None:
    with pytest.raises(ValueError, match="error budget"):
        burn_rate(1, 10, budget)


@pytest.mark.parametrize(
    ("long_burn", "short_burn", "factor", "fires"),
    [
        pytest.param(20.0, 30.0, 14.4, True, id="both windows above the factor fire"),
        pytest.param(20.0, 3.0, 14.4, False, id="a recovered short window stops the alert"),
        pytest.param(3.0, 30.0, 14.4, False, id="a short blip alone does not fire"),
        pytest.param(14.4, 14.4, 14.4, False, id="burning exactly at the factor does not fire"),
        pytest.param(20.0, None, 14.4, False, id="a short window without events does not fire"),
        pytest.param(None, 30.0, 14.4, False, id="a long window without events does not fire"),
    ],
)
def test_multiwindow_alert(
    long_burn: float | None, short_burn: float | None, factor: float, fires: bool
) -> None:
    assert alert_fires(long_burn, short_burn, factor) is fires


@pytest.mark.parametrize(
    ("bad", "total", "budget", "expected"),
    [
        pytest.param(0, 0, 0.001, None, id="a period without events has no budget to speak of"),
        pytest.param(0, 10_000, 0.001, 1.0, id="no errors leave the whole budget"),
        pytest.param(5, 10_000, 0.001, 0.5, id="half the allowed errors leave half the budget"),
        pytest.param(10, 10_000, 0.001, 0.0, id="the allowed errors spend the whole budget"),
        pytest.param(30, 10_000, 0.001, -2.0, id="three times the allowed errors overspend it"),
    ],
)
def test_budget_remaining(bad: int, total: int, budget: float, expected: float | None) -> None:
    result = budget_remaining(bad, total, budget)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("remaining", "burn", "period", "expected"),
    [
        pytest.param(1.0, 1.0, 30 * DAY, 30 * DAY, id="a full budget at 1x lasts the period"),
        pytest.param(0.5, 14.4, 30 * DAY, 25 * HOUR, id="half a 30d budget at 14.4x lasts 25h"),
        pytest.param(0.0, 2.0, 30 * DAY, timedelta(0), id="a spent budget is exhausted now"),
        pytest.param(-1.0, 0.0, 30 * DAY, timedelta(0), id="an overspent one too, burn or not"),
        pytest.param(0.8, 0.0, 30 * DAY, None, id="a budget burnt at 0x is never exhausted"),
        pytest.param(0.8, None, 30 * DAY, None, id="no recent data forecasts nothing"),
    ],
)
def test_time_to_exhaustion(
    remaining: float, burn: float | None, period: timedelta, expected: timedelta | None
) -> None:
    assert time_to_exhaustion(remaining, burn, period) == expected


@pytest.mark.parametrize(
    ("error_rate", "fire", "reset"),
    [
        pytest.param(
            1.0,
            timedelta(seconds=51.84),
            timedelta(seconds=295.68),
            id="an outage fires after 52s, resets 4m56s after it ends",
        ),
        pytest.param(0.0144, None, None, id="errors exactly at the threshold never fire"),
        pytest.param(0.0, None, None, id="no errors never fire"),
    ],
)
def test_detection_and_reset_of_the_fast_page_alert(
    error_rate: float, fire: timedelta | None, reset: timedelta | None
) -> None:
    args = (error_rate, 0.001, 14.4, HOUR, timedelta(minutes=5))
    ms = timedelta(milliseconds=1)
    assert time_to_fire(*args) == (None if fire is None else pytest.approx(fire, abs=ms))
    assert time_to_reset(*args) == (None if reset is None else pytest.approx(reset, abs=ms))
