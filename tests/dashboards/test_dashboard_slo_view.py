"""The SLOs page's rows from the latest ``slo`` signals, without Streamlit or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboards.slo_view import burn_table, exhaustion_text, humanize, slo_rows, span_seconds
from store.records import Signal, StoredSignal

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stored(
    subject: str, details: dict[str, Any], *, model: str = "credit", detector: str = "slo"
) -> StoredSignal:
    signal = Signal(
        detector=detector,
        model=model,
        subject=subject,
        metric="error_budget_burn",
        window_start=T0 - timedelta(hours=6),
        window_end=T0,
        value=1.0,
        threshold=14.4,
        status="ok",
        sample_size=10,
        details=details,
    )
    return StoredSignal(id=1, signal=signal, created_at=T0)


@pytest.mark.parametrize(
    ("span", "seconds"),
    [
        pytest.param("5m", 300, id="minutes"),
        pytest.param("1h30m", 5400, id="hours and minutes"),
        pytest.param("28d", 28 * 86400, id="days"),
        pytest.param("soon", float("inf"), id="unknown sorts last"),
        pytest.param("5m!", float("inf"), id="trailing junk is unknown"),
    ],
)
def test_window_names_are_read_as_seconds_for_sorting(span: str, seconds: float) -> None:
    assert span_seconds(span) == seconds


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        pytest.param(45, "45s", id="seconds"),
        pytest.param(7500, "2h 5m", id="hours and minutes"),
        pytest.param(3 * 86400 + 4 * 3600 + 59, "3d 4h", id="two largest units"),
        pytest.param(0, "0s", id="zero"),
    ],
)
def test_durations_read_as_their_two_largest_units(seconds: float, text: str) -> None:
    assert humanize(seconds) == text


@pytest.mark.parametrize(
    ("details", "text"),
    [
        pytest.param({"budget_remaining": None}, "unknown (no events)", id="no events"),
        pytest.param(
            {"budget_remaining": 0.9, "budget_exhausted_in_seconds": None},
            "not at the current burn rate",
            id="not burning",
        ),
        pytest.param(
            {"budget_remaining": -0.1, "budget_exhausted_in_seconds": 0}, "exhausted", id="spent"
        ),
        pytest.param(
            {"budget_remaining": 0.5, "budget_exhausted_in_seconds": 90000},
            "in 1d 1h",
            id="a forecast",
        ),
    ],
)
def test_the_forecast_says_when_the_budget_runs_out(details: dict[str, Any], text: str) -> None:
    assert exhaustion_text(details) == text


def test_rows_are_sorted_with_burn_rates_shortest_window_first() -> None:
    details = {
        "state": "page",
        "budget_remaining": 0.4,
        "budget_exhausted_in_seconds": 3600,
        "burn_rates": {"6h": 7.0, "5m": 20.0, "1h": 15.0, "30m": None},
    }
    rows = slo_rows(
        [
            _stored("latency", {"state": "ok"}, model="credit"),
            _stored("availability", details),
            _stored("ignored", details, detector="drift"),
        ]
    )
    assert [(r.slo, r.state) for r in rows] == [("availability", "page"), ("latency", "ok")]
    assert list(rows[0].burn_rates.items()) == [
        ("5m", 20.0),
        ("30m", None),
        ("1h", 15.0),
        ("6h", 7.0),
    ]
    assert (rows[0].budget_remaining, rows[0].exhausted_in, rows[0].evaluated) == (
        0.4,
        "in 1h",
        "2026-03-02 09:00 UTC",
    )
    assert burn_table(rows) == [
        {"slo": "availability", "5m": 20.0, "30m": None, "1h": 15.0, "6h": 7.0},
        {"slo": "latency", "5m": None, "30m": None, "1h": None, "6h": None},
    ]
