"""Multiwindow, multi-burn-rate alert windows, kept as data files in Sloth's format.

Each file (``slo/windows/*.yaml``, ``apiVersion: sloth.slok.dev/v1``, ``kind: AlertWindows``)
gives, for one SLO period, four alerts: page quick/slow and ticket quick/slow. An alert names
the share of the period's error budget it tolerates losing within its long window; the
burn-rate factor follows, as in Sloth's ``getBurnRateFactor``::

    factor = errorBudgetPercent / 100 * sloPeriod / longWindow

so 2% of a 30-day budget in 1h is 14.4x, and the same 2% over 28 days is 13.44x. The factor is
computed in hours, in Sloth's order of operations, so that the thresholds of exported Prometheus
rules print exactly as Sloth prints them (``5% of 28d in 6h`` is ``5.6000000000000005`` in both).
As in Sloth, periods form a catalog: an SLO whose period has no file is rejected, never guessed
at. Every window must be shorter than its period: a 3d window cannot measure a 1d SLO.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from slo.errors import AlertWindowsError, UnsupportedPeriod
from slo.windows_spec import AlertWindowsFile, AlertWindowsSpec, WindowSpec
from store.durations import format_duration

Severity = Literal["page", "ticket"]

_WINDOWS_DIR = Path(__file__).with_name("windows")


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """One alert: it fires when both windows burn budget faster than ``burn_rate_factor``."""

    name: str
    severity: Severity
    error_budget_percent: float
    short_window: timedelta
    long_window: timedelta
    burn_rate_factor: float


@dataclass(frozen=True, slots=True)
class AlertWindows:
    """The four alerts of one SLO period, page alerts first."""

    slo_period: timedelta
    alerts: tuple[AlertWindow, ...]

    def of_severity(self, severity: Severity) -> tuple[AlertWindow, ...]:
        return tuple(alert for alert in self.alerts if alert.severity == severity)

    def durations(self) -> tuple[timedelta, ...]:
        """Every distinct short and long window, shortest first."""
        spans = {a.short_window for a in self.alerts} | {a.long_window for a in self.alerts}
        return tuple(sorted(spans))


def _hours(span: timedelta) -> float:
    """Go's ``time.Duration.Hours()``: whole hours plus the remainder's fraction."""
    nanoseconds = (span // timedelta(microseconds=1)) * 1000
    whole, rest = divmod(nanoseconds, 3_600_000_000_000)
    return whole + rest / 3.6e12


def burn_rate_factor(
    error_budget_percent: float, slo_period: timedelta, long_window: timedelta
) -> float:
    """The burn rate that spends ``error_budget_percent`` of the budget in ``long_window``.

    Sloth's ``getBurnRateFactor``: hours needed to spend that share at 1x, over the window.
    """
    return error_budget_percent * _hours(slo_period) / 100 / _hours(long_window)


def build_alert_windows(period: timedelta, spec: AlertWindowsSpec) -> AlertWindows:
    """The four alerts of ``spec`` for an SLO ``period``, page alerts first."""
    alerts = []
    for severity in ("page", "ticket"):
        for speed in ("quick", "slow"):
            window: WindowSpec = getattr(getattr(spec, severity), speed)
            factor = burn_rate_factor(window.error_budget_percent, period, window.long_window)
            alerts.append(
                AlertWindow(
                    name=f"{severity}-{speed}",
                    severity=severity,
                    error_budget_percent=window.error_budget_percent,
                    short_window=window.short_window,
                    long_window=window.long_window,
                    burn_rate_factor=factor,
                )
            )
    return AlertWindows(slo_period=period, alerts=tuple(alerts))


def parse_alert_windows(text: str, source: str = "<string>") -> AlertWindows:
    """Read an ``AlertWindows`` YAML document; errors name ``source`` and the field."""
    try:
        raw: Any = yaml.safe_load(text)
        spec = AlertWindowsFile.model_validate(raw).spec
    except (yaml.YAMLError, ValidationError) as exc:
        raise AlertWindowsError(f"{source}: invalid alert windows: {exc}") from None
    return build_alert_windows(spec.slo_period, spec)


@cache
def default_catalog() -> Mapping[timedelta, AlertWindows]:
    """The windows shipped in ``slo/windows``, keyed by SLO period."""
    catalog: dict[timedelta, AlertWindows] = {}
    # Next to this module rather than through importlib.resources("slo"): under pytest,
    # ``tests/slo`` can shadow the ``slo`` package as a namespace package.
    for entry in sorted(_WINDOWS_DIR.iterdir()):
        if entry.suffix not in (".yaml", ".yml"):
            continue
        windows = parse_alert_windows(entry.read_text(encoding="utf-8"), entry.name)
        if windows.slo_period in catalog:
            raise AlertWindowsError(
                f"{entry.name}: period {format_duration(windows.slo_period)} is defined twice"
            )
        catalog[windows.slo_period] = windows
    return MappingProxyType(catalog)


def windows_for(
    period: timedelta, catalog: Mapping[timedelta, AlertWindows] | None = None
) -> AlertWindows:
    """The alert windows for an SLO period; :class:`UnsupportedPeriod` if there are none."""
    known = default_catalog() if catalog is None else catalog
    try:
        return known[period]
    except KeyError:
        supported = ", ".join(format_duration(p) for p in sorted(known))
        raise UnsupportedPeriod(
            f"no alert windows for an SLO period of {format_duration(period)}; "
            f"supported periods: {supported}"
        ) from None
