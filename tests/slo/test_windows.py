"""Alert windows: the shipped catalog, Sloth's files, and the mistakes a windows file can hold."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from slo.config import SLOSpec
from slo.errors import AlertWindowsError, UnsupportedPeriod
from slo.windows import default_catalog, parse_alert_windows, windows_for

SLOTH = Path(__file__).parent / "conformance"
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("period", "factors"),
    [
        pytest.param(30 * DAY, (14.4, 6.0, 3.0, 1.0), id="30 days: the Workbook's factors"),
        pytest.param(28 * DAY, (13.44, 5.6, 2.8, 0.9333), id="28 days: same shares, scaled"),
        pytest.param(7 * DAY, (13.44, 3.5, 1.4, 0.98), id="7 days: Sloth's example shares"),
    ],
)
def test_shipped_periods_have_page_and_ticket_alerts_with_sloths_factors(
    period: timedelta, factors: tuple[float, ...]
) -> None:
    windows = windows_for(period)
    assert [a.name for a in windows.alerts] == [
        "page-quick",
        "page-slow",
        "ticket-quick",
        "ticket-slow",
    ]
    assert [a.burn_rate_factor for a in windows.alerts] == pytest.approx(factors, abs=1e-4)
    assert [a.severity for a in windows.of_severity("page")] == ["page", "page"]


@pytest.mark.parametrize(
    ("sloth_file", "period"),
    [
        pytest.param("alert-windows-google-30d.yaml", 30 * DAY, id="Sloth's google-30d"),
        pytest.param("alert-windows-7d.yaml", 7 * DAY, id="Sloth's 7d example"),
    ],
)
def test_sloths_own_files_read_the_same_as_the_shipped_ones(
    sloth_file: str, period: timedelta
) -> None:
    parsed = parse_alert_windows((SLOTH / sloth_file).read_text(), sloth_file)
    assert parsed == default_catalog()[period]


def test_durations_are_every_distinct_window_shortest_first() -> None:
    assert windows_for(30 * DAY).durations() == (
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=6),
        DAY,
        3 * DAY,
    )


def test_a_period_without_windows_names_the_supported_ones() -> None:
    with pytest.raises(UnsupportedPeriod, match=r"14d; supported periods: 7d, 28d, 30d"):
        windows_for(14 * DAY)


def test_an_slo_over_an_unsupported_period_fails_validation() -> None:
    with pytest.raises(ValidationError, match="no alert windows for an SLO period of 14d"):
        SLOSpec(
            name="fraud-availability",
            model="fraud",
            sli={"kind": "availability"},  # type: ignore[arg-type]
            objective=99.9,
            window=14 * DAY,
        )


GOOD = (SLOTH / "alert-windows-google-30d.yaml").read_text()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            GOOD.replace("sloth.slok.dev/v1", "sloth.slok.dev/v2"),
            "apiVersion",
            id="another apiVersion is refused",
        ),
        pytest.param(
            GOOD.replace("shortWindow: 5m", "shortWindow: 2h"),
            "shorter than longWindow",
            id="a short window longer than its long window is refused",
        ),
        pytest.param(
            GOOD.replace("errorBudgetPercent: 2", "errorBudgetPercent: 0"),
            "errorBudgetPercent",
            id="a zero budget share is refused",
        ),
        pytest.param(
            GOOD.replace("longWindow: 6h", "longWindow: six hours"),
            "invalid duration",
            id="a malformed duration is refused",
        ),
        pytest.param("spec: [", "invalid alert windows", id="broken YAML is refused"),
    ],
)
def test_invalid_windows_files_name_the_file_and_the_mistake(text: str, message: str) -> None:
    with pytest.raises(AlertWindowsError, match=message) as raised:
        parse_alert_windows(text, "custom.yaml")
    assert str(raised.value).startswith("custom.yaml: ")
