"""Multiwindow, multi-burn-rate alert windows, kept as data files in Sloth's format.

Each file (``slo/windows/*.yaml``, ``apiVersion: sloth.slok.dev/v1``, ``kind: AlertWindows``)
gives, for one SLO period, four alerts: page quick/slow and ticket quick/slow. An alert names
the share of the period's error budget it tolerates losing within its long window; the
burn-rate factor follows, as in Sloth's ``getBurnRateFactor``::

    factor = errorBudgetPercent / 100 * sloPeriod / longWindow

so 2% of a 30-day budget in 1h is 14.4x, and the same 2% over 28 days is 13.44x. As in Sloth,
periods form a catalog: an SLO whose period has no file is rejected, never guessed at.
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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from slo.errors import AlertWindowsError, UnsupportedPeriod
from store.durations import Duration, format_duration

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


def burn_rate_factor(
    error_budget_percent: float, slo_period: timedelta, long_window: timedelta
) -> float:
    """The burn rate that spends ``error_budget_percent`` of the budget in ``long_window``."""
    return error_budget_percent * slo_period.total_seconds() / 100 / long_window.total_seconds()


class _WindowSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    error_budget_percent: float = Field(alias="errorBudgetPercent", gt=0, le=100)
    short_window: Duration = Field(alias="shortWindow")
    long_window: Duration = Field(alias="longWindow")

    @model_validator(mode="after")
    def _short_inside_long(self) -> _WindowSpec:
        if not timedelta(0) < self.short_window < self.long_window:
            raise ValueError("shortWindow must be positive and shorter than longWindow")
        return self


class _SeveritySpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quick: _WindowSpec
    slow: _WindowSpec


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    slo_period: Duration = Field(alias="sloPeriod", gt=timedelta(0))
    page: _SeveritySpec
    ticket: _SeveritySpec


class _AlertWindowsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    api_version: Literal["sloth.slok.dev/v1"] = Field(alias="apiVersion")
    kind: Literal["AlertWindows"]
    spec: _Spec


def parse_alert_windows(text: str, source: str = "<string>") -> AlertWindows:
    """Read an ``AlertWindows`` YAML document; errors name ``source`` and the field."""
    try:
        raw: Any = yaml.safe_load(text)
        spec = _AlertWindowsFile.model_validate(raw).spec
    except (yaml.YAMLError, ValidationError) as exc:
        raise AlertWindowsError(f"{source}: invalid alert windows: {exc}") from None
    alerts = []
    for severity in ("page", "ticket"):
        for speed in ("quick", "slow"):
            window: _WindowSpec = getattr(getattr(spec, severity), speed)
            factor = burn_rate_factor(
                window.error_budget_percent, spec.slo_period, window.long_window
            )
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
    return AlertWindows(slo_period=spec.slo_period, alerts=tuple(alerts))


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
