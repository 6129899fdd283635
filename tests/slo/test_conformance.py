"""The SRE Workbook's worked burn-rate examples, read from the shared conformance table.

``conformance/slo_burn_rate_cases.yaml`` is a verbatim copy of the shared
``slo_burn_rate_cases.yaml`` (a 99.9% / 30-day SLO). Each case is checked twice: against the
closed-form detection math, and by replaying the step of errors through ``burn_rate`` and
``alert_fires`` on sliding windows, where firing and resetting must happen within one
evaluation step of the table's times.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import pytest
import yaml

from slo.burn_rate import (
    alert_fires,
    budget_consumed_at_fire,
    burn_rate,
    ratio_burn_rate,
    time_to_exhaustion,
    time_to_fire,
    time_to_reset,
)
from slo.windows import windows_for

TABLE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "conformance" / "slo_burn_rate_cases.yaml").read_text()
)
PERIOD = timedelta(minutes=TABLE["period_minutes"])
BUDGET: float = TABLE["error_budget"]


def _id(case: dict[str, Any]) -> str:
    verdict = f"fires after {case['detection_minutes']} min" if case["fires"] else "never fires"
    return f"{case['alert']} at error rate {case['error_rate']} {verdict}"


CASES = [pytest.param(case, id=_id(case)) for case in TABLE["cases"]]


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else value / timedelta(minutes=1)


@pytest.mark.parametrize("case", CASES)
def test_closed_form_detection_matches_the_workbook(case: dict[str, Any]) -> None:
    long = timedelta(minutes=case["long_window_min"])
    short = timedelta(minutes=case["short_window_min"])
    factor, rate = case["burn_rate"], case["error_rate"]

    assert factor * BUDGET == pytest.approx(case["threshold_error_rate"])
    fire = _minutes(time_to_fire(rate, BUDGET, factor, long, short))
    reset = _minutes(time_to_reset(rate, BUDGET, factor, long, short))
    assert (fire is not None) is case["fires"]
    if case["fires"]:
        assert fire == pytest.approx(case["detection_minutes"])
        assert reset == pytest.approx(case["reset_minutes_after_errors_stop"])
        assert budget_consumed_at_fire(factor, long, PERIOD) == pytest.approx(
            case["budget_consumed_at_detection"]
        )
    else:
        assert reset is None


def _replay(case: dict[str, Any]) -> tuple[float | None, float | None]:
    """Fire and reset times (minutes) of a step of errors, evaluated every step.

    A step is 1/50 of the short window, so windows are 50 and 600 steps long in every case.
    Each step carries 1000 events; windows are full of good traffic before errors start at
    step 0. Errors last until both windows are saturated, then stop.
    """
    step = timedelta(minutes=case["short_window_min"]) / 50
    short_steps = 50
    long_steps = round(timedelta(minutes=case["long_window_min"]) / step)
    per_step, bad_per_step = 1000, round(case["error_rate"] * 1000)
    stop = long_steps + short_steps
    horizon = 2 * stop
    bad = [bad_per_step if 0 <= i < stop else 0 for i in range(-long_steps, horizon)]
    cumulative = [0, *accumulate(bad)]

    def firing(k: int) -> bool:
        """The alert at the end of step k-1 (steps are indexed from -long_steps)."""
        end = k + long_steps
        long_bad = cumulative[end] - cumulative[end - long_steps]
        short_bad = cumulative[end] - cumulative[end - short_steps]
        return alert_fires(
            burn_rate(long_bad, per_step * long_steps, BUDGET),
            burn_rate(short_bad, per_step * short_steps, BUDGET),
            case["burn_rate"],
        )

    minutes_per_step = step / timedelta(minutes=1)
    fired = next((k for k in range(horizon + 1) if firing(k)), None)
    if fired is None:
        return None, None
    assert all(firing(k) for k in range(fired, stop + 1)), "it stops firing while errors go on"
    reset = next(k for k in range(stop, horizon + 1) if not firing(k))
    return fired * minutes_per_step, (reset - stop) * minutes_per_step


@pytest.mark.parametrize("case", CASES)
def test_replayed_alert_fires_and_resets_within_one_evaluation_step(
    case: dict[str, Any],
) -> None:
    step_minutes = case["short_window_min"] / 50 * (1 + 1e-9)  # one step, float-tolerant
    fired, reset = _replay(case)

    assert (fired is not None) is case["fires"]
    if case["fires"]:
        assert fired is not None and reset is not None
        assert abs(fired - case["detection_minutes"]) <= step_minutes
        assert abs(reset - case["reset_minutes_after_errors_stop"]) <= step_minutes


@pytest.mark.parametrize(
    ("error_rate", "minutes"),
    [
        pytest.param(
            float(rate), minutes, id=f"at error rate {rate} the budget lasts {minutes} min"
        )
        for rate, minutes in TABLE["time_to_exhaust_budget_minutes"].items()
    ],
)
def test_a_full_budget_is_exhausted_as_the_workbook_says(error_rate: float, minutes: float) -> None:
    burn = ratio_burn_rate(error_rate, BUDGET)
    assert _minutes(time_to_exhaustion(1.0, burn, PERIOD)) == pytest.approx(minutes)


@pytest.mark.parametrize("case", CASES)
def test_every_workbook_alert_is_one_of_the_shipped_30d_windows(case: dict[str, Any]) -> None:
    shipped = {
        (a.long_window, a.short_window): (a.severity, a.burn_rate_factor)
        for a in windows_for(PERIOD).alerts
    }
    key = (timedelta(minutes=case["long_window_min"]), timedelta(minutes=case["short_window_min"]))
    severity, factor = shipped[key]
    assert severity == case["severity"]
    assert factor == pytest.approx(case["burn_rate"])
