"""From window counts to one signal: the paging decision as a table, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from slo.config import SLISpec, SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.sli import EventCounts
from slo.windows import windows_for

SLO = SLOSpec(
    name="credit-availability",
    model="credit",
    sli=SLISpec(kind="availability"),
    objective=99.9,
    window=timedelta(days=30),
)
WINDOWS = windows_for(SLO.window)
H, M = timedelta(hours=1), timedelta(minutes=1)


def _counts(**bad_per_mille: float) -> dict[timedelta, EventCounts]:
    """1000 events in every window; ``m5=50`` makes 50 of the 5-minute ones bad."""
    names = {"m5": 5 * M, "m30": 30 * M, "h1": H, "h2": 2 * H, "h6": 6 * H, "d1": 24 * H}
    named = {names[key]: value for key, value in bad_per_mille.items()}
    return {
        span: EventCounts(good=1000 - int(named.get(span, 0)), total=1000)
        for span in windows_needed(SLO, WINDOWS)
    }


def _silent(counts: dict[timedelta, EventCounts], longest: timedelta) -> None:
    for span in counts:
        if span <= longest:
            counts[span] = EventCounts(good=0, total=0)


QUIET_HOUR = _counts()
_silent(QUIET_HOUR, H)
SILENT = _counts()
_silent(SILENT, timedelta(days=30))

CASES = [
    pytest.param(
        _counts(h1=20, m5=50), "breach", "page", "page-quick", 20.0, 14.4,
        id="a fast burn over 1h and 5m pages with the 14.4x alert",
    ),
    pytest.param(
        _counts(h6=7, m30=8, h1=8), "breach", "page", "page-slow", 7.0, 6.0,
        id="a slow burn over 6h and 30m pages with the 6x alert",
    ),
    pytest.param(
        _counts(h1=20, h6=4), "ok", "none", "page-quick", 0.0, 14.4,
        id="a burst that has ended does not page",
    ),
    pytest.param(
        _counts(d1=4, h2=4, h6=4, h1=4, m30=4, m5=4), "ok", "ticket", "page-slow", 4.0, 6.0,
        id="a 4x burn over a day opens a ticket but does not page",
    ),
    pytest.param(
        QUIET_HOUR, "not_computable", "none", None, None, 14.4,
        id="an hour without events is not computable even after a good day",
    ),
    pytest.param(
        SILENT, "not_computable", "none", None, None, 14.4,
        id="a model that never answered is not computable",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("counts", "status", "severity", "alert", "value", "threshold"), CASES)
def test_the_signal_pages_only_when_a_page_alert_holds(
    t0: datetime,
    counts: dict[timedelta, EventCounts],
    status: str,
    severity: str,
    alert: str | None,
    value: float | None,
    threshold: float,
) -> None:
    signal = evaluate(SLO, WINDOWS, counts, t0)

    assert (signal.status, signal.details["severity"], signal.details["alert"]) == (
        status,
        severity,
        alert,
    )
    assert signal.value == (None if value is None else pytest.approx(value))
    assert signal.threshold == pytest.approx(threshold)
    assert signal.threshold is not None
    exceeded = signal.value is not None and signal.value > signal.threshold
    assert exceeded is (status == "breach")
    assert ("reason" in signal.details) is (status == "not_computable")


def test_the_signal_describes_the_slo_and_every_window(t0: datetime) -> None:
    counts = _counts(h1=20, m5=50)
    counts[SLO.window] = EventCounts(good=99_950, total=100_000)

    signal = evaluate(SLO, WINDOWS, counts, t0)

    assert (signal.detector, signal.model, signal.subject, signal.metric) == (
        "slo",
        "credit",
        "credit-availability",
        "error_budget_burn",
    )
    assert (signal.window_start, signal.window_end) == (t0 - 6 * H, t0)
    assert signal.sample_size == 1000
    details = signal.details
    assert details["objective"] == 99.9
    assert details["period"] == "30d"
    assert details["burn_rates"]["1h"] == pytest.approx(20.0)
    assert details["burn_rates"]["5m"] == pytest.approx(50.0)
    assert details["burn_rates"]["3d"] == pytest.approx(0.0)
    assert details["events"]["30d"] == {"good": 99_950, "total": 100_000}
    assert details["alerts"]["page-quick"] == {
        "severity": "page",
        "factor": pytest.approx(14.4),
        "long_window": "1h",
        "short_window": "5m",
        "state": "firing",
    }
    assert details["alerts"]["page-slow"]["state"] == "ok"
    assert details["budget_remaining"] == pytest.approx(0.5)
    # No bad events in the last 6h: the budget left is not being spent.
    assert details["budget_exhausted_in_seconds"] is None


def test_the_budget_forecast_follows_the_burn_of_the_longest_page_window(
    t0: datetime,
) -> None:
    counts = _counts(h6=2)
    counts[SLO.window] = EventCounts(good=99_950, total=100_000)

    details = evaluate(SLO, WINDOWS, counts, t0).details

    # Half of a 30-day budget at 2x lasts a quarter of the period.
    assert details["budget_exhausted_in_seconds"] == pytest.approx(7.5 * 86400)


def test_a_silent_period_has_no_budget_figures(t0: datetime) -> None:
    details = evaluate(SLO, WINDOWS, SILENT, t0).details
    assert details["budget_remaining"] is None
    assert details["budget_exhausted_in_seconds"] is None
    assert details["reason"] == "no data"
    assert set(details["burn_rates"].values()) == {None}
    assert {a["state"] for a in details["alerts"].values()} == {"no data"}


@pytest.mark.parametrize(
    ("counts", "state"),
    [
        pytest.param(_counts(h1=20, m5=50), "page", id="a page alert holding is state page"),
        pytest.param(
            _counts(d1=4, h2=4, h6=4, h1=4, m30=4, m5=4),
            "ticket",
            id="a ticket alert alone is state ticket",
        ),
        pytest.param(_counts(), "ok", id="no errors is state ok"),
        pytest.param(QUIET_HOUR, "no_data", id="an hour without events is state no_data"),
        pytest.param(SILENT, "no_data", id="a model that never answered is state no_data"),
    ],
)
def test_the_state_sums_up_the_signal_for_alert_rules(
    t0: datetime, counts: dict[timedelta, EventCounts], state: str
) -> None:
    details = evaluate(SLO, WINDOWS, counts, t0).details
    assert details["state"] == state
    assert details["no_data_alert"] is True


def test_an_slo_that_does_not_alert_on_no_data_still_reports_no_data(t0: datetime) -> None:
    quiet = SLO.model_copy(update={"no_data_alert": False})

    signal = evaluate(quiet, WINDOWS, SILENT, t0)

    assert signal.status == "not_computable"
    assert signal.details["state"] == "no_data"
    assert signal.details["reason"] == "no data"
    assert signal.details["no_data_alert"] is False
