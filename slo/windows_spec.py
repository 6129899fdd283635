"""The alert-windows spec as Sloth writes it, in ``AlertWindows`` files and inline in SLOs.

The same shape serves both places: a file (``apiVersion: sloth.slok.dev/v1``, ``kind:
AlertWindows``) gives windows for a ``sloPeriod``; an SLO's optional ``alert_windows`` gives
them for that SLO's own period. Field names are Sloth's (``errorBudgetPercent``,
``shortWindow``, ``longWindow``); the snake_case spellings are accepted too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from store.durations import Duration, format_duration


class WindowSpec(BaseModel):
    """One alert: the budget share it tolerates losing, and its two windows."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: Percent of the period's error budget that may burn within ``longWindow`` (2 = 2%).
    error_budget_percent: float = Field(alias="errorBudgetPercent", gt=0, le=100)
    #: The window that lets the alert stop soon after the errors stop (e.g. 5m).
    short_window: Duration = Field(alias="shortWindow")
    #: The window that makes the alert significant (e.g. 1h).
    long_window: Duration = Field(alias="longWindow")

    @model_validator(mode="after")
    def _short_inside_long(self) -> WindowSpec:
        if not timedelta(0) < self.short_window < self.long_window:
            raise ValueError("shortWindow must be positive and shorter than longWindow")
        return self


class SeveritySpec(BaseModel):
    """The two alerts of a severity: a quick one for fast burns, a slow one for slow burns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Fast burns: a short long window (page: 1h) and a high factor.
    quick: WindowSpec
    #: Slow burns: a longer long window (page: 6h) and a lower factor.
    slow: WindowSpec


class AlertWindowsSpec(BaseModel):
    """Page and ticket alerts, without a period (inline in an SLO: the SLO's period)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Alerts that wake someone up.
    page: SeveritySpec
    #: Alerts that open a ticket.
    ticket: SeveritySpec

    def windows_too_long(self, period: timedelta) -> str | None:
        """Why these windows cannot measure ``period`` (a window not shorter), or None."""
        for severity in ("page", "ticket"):
            for speed in ("quick", "slow"):
                window: WindowSpec = getattr(getattr(self, severity), speed)
                if window.long_window >= period:
                    return (
                        f"{severity}.{speed}.longWindow {format_duration(window.long_window)} "
                        f"must be shorter than the period {format_duration(period)}"
                    )
        return None


class PeriodWindowsSpec(AlertWindowsSpec):
    """Page and ticket alerts for one SLO period: the ``spec`` of an ``AlertWindows`` file."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: The SLO period these windows are for.
    slo_period: Duration = Field(alias="sloPeriod", gt=timedelta(0))

    @model_validator(mode="after")
    def _windows_inside_period(self) -> PeriodWindowsSpec:
        problem = self.windows_too_long(self.slo_period)
        if problem:
            raise ValueError(problem)
        return self


class AlertWindowsFile(BaseModel):
    """A whole ``AlertWindows`` file."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    #: Sloth's ``sloth.slok.dev/v1``.
    api_version: Literal["sloth.slok.dev/v1"] = Field(alias="apiVersion")
    #: ``AlertWindows``.
    kind: Literal["AlertWindows"]
    #: The period and its alerts.
    spec: PeriodWindowsSpec
