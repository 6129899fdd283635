"""Turning an SLO's event counts into one ``error_budget_burn`` signal: a pure function.

The signal answers "should someone be paged for this SLO now?":

- ``breach`` when a page alert holds (its long and its short window both burn above its
  factor);
- ``not_computable`` (reason ``no data``) otherwise, if a page alert's long window saw no
  events: an idle or silent model is not a healthy one;
- ``ok`` otherwise.

``details["state"]`` says the same in one word for rules: ``page``, ``ticket`` (a ticket
alert holds, no page alert does), ``ok`` or ``no_data``. ``details["no_data_alert"]`` carries
the SLO's ``no_data_alert``: an alert rule with ``fire_on: [no_data]`` (e.g. ``SLONoData``)
raises an alert for ``state == "no_data"`` only when it is true; a burn-rate rule never fires
on it. The signal itself stays ``not_computable`` either way: no data is never "ok".

``value`` is the *effective* burn rate of the page alert nearest to (or furthest past) its
factor: the lower of its two windows' burn rates, which is what the alert condition compares.
``threshold`` is that alert's factor, so ``value > threshold`` exactly when the signal is a
breach. Every window's burn rate, each alert's state, the ticket severity and the budget left
over the SLO period are in ``details``; with a ``calendar`` SLO, ``details["calendar"]`` has
the budget of the current calendar period (:mod:`slo.calendar`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from slo.burn_rate import alert_fires, budget_remaining, burn_rate, time_to_exhaustion
from slo.calendar import calendar_budget, elapsed
from slo.config import SLOSpec
from slo.sli import EventCounts
from slo.windows import AlertWindow, AlertWindows
from store.durations import format_duration
from store.records import Signal, SignalStatus

DETECTOR = "slo"
METRIC = "error_budget_burn"
NO_DATA = "no data"

AlertStateName = Literal["firing", "ok", "no data"]


@dataclass(frozen=True, slots=True)
class AlertState:
    """One alert's windows at evaluation time."""

    alert: AlertWindow
    long_burn: float | None
    short_burn: float | None

    @property
    def firing(self) -> bool:
        return alert_fires(self.long_burn, self.short_burn, self.alert.burn_rate_factor)

    @property
    def state(self) -> AlertStateName:
        if self.firing:
            return "firing"
        return "no data" if self.long_burn is None else "ok"

    @property
    def effective_burn(self) -> float | None:
        """The burn rate both windows exceed: the lower of the two."""
        if self.long_burn is None or self.short_burn is None:
            return None
        return min(self.long_burn, self.short_burn)


def windows_needed(
    slo: SLOSpec, windows: AlertWindows, end: datetime | None = None
) -> tuple[timedelta, ...]:
    """Every window an evaluation at ``end`` reads: the alerts', the period, the calendar's.

    The calendar window (from the start of the current month or week) depends on ``end``;
    without ``end``, or at the very start of a period, it is not needed.
    """
    spans = {*windows.durations(), slo.window}
    if slo.calendar is not None and end is not None and elapsed(slo.calendar, end):
        spans.add(elapsed(slo.calendar, end))
    return tuple(sorted(spans))


def _status(page: list[AlertState]) -> SignalStatus:
    if any(state.firing for state in page):
        return "breach"
    if any(state.long_burn is None for state in page):
        return "not_computable"
    return "ok"


def _severity(states: list[AlertState]) -> str:
    for severity in ("page", "ticket"):
        if any(s.firing for s in states if s.alert.severity == severity):
            return severity
    return "none"


def _state(status: SignalStatus, severity: str) -> str:
    if status == "not_computable":
        return "no_data"
    return "ok" if severity == "none" else severity


def _nearest(page: list[AlertState]) -> AlertState | None:
    """The page alert whose effective burn is highest relative to its factor."""
    rated = [s for s in page if s.effective_burn is not None]
    return max(
        rated,
        key=lambda s: (s.effective_burn or 0.0) / s.alert.burn_rate_factor,
        default=None,
    )


def evaluate(
    slo: SLOSpec,
    windows: AlertWindows,
    counts: Mapping[timedelta, EventCounts],
    end: datetime,
) -> Signal:
    """The signal for ``slo`` at ``end``, from the counts of :func:`windows_needed` at ``end``."""
    burns = {span: burn_rate(c.bad, c.total, slo.error_budget) for span, c in counts.items()}
    states = [
        AlertState(alert, burns[alert.long_window], burns[alert.short_window])
        for alert in windows.alerts
    ]
    page = [s for s in states if s.alert.severity == "page"]
    status = _status(page)
    nearest = _nearest(page)
    longest_page = max(s.alert.long_window for s in page)
    period = counts[slo.window]
    remaining = budget_remaining(period.bad, period.total, slo.error_budget)
    exhausted_in = (
        None
        if remaining is None
        else time_to_exhaustion(remaining, burns[longest_page], slo.window)
    )
    details: dict[str, Any] = {
        "objective": slo.objective,
        "error_budget": slo.error_budget,
        "period": format_duration(slo.window),
        "severity": _severity(states),
        "alert": None if nearest is None else nearest.alert.name,
        "burn_rates": {format_duration(span): burn for span, burn in burns.items()},
        "events": {
            format_duration(span): {"good": c.good, "total": c.total} for span, c in counts.items()
        },
        "alerts": {
            s.alert.name: {
                "severity": s.alert.severity,
                "factor": s.alert.burn_rate_factor,
                "long_window": format_duration(s.alert.long_window),
                "short_window": format_duration(s.alert.short_window),
                "state": s.state,
            }
            for s in states
        },
        "budget_remaining": remaining,
        # Forecast at the burn of the longest page window: recent, yet not a 5-minute blip.
        "budget_exhausted_in_seconds": (
            None if exhausted_in is None else exhausted_in.total_seconds()
        ),
    }
    details["state"] = _state(status, details["severity"])
    details["no_data_alert"] = slo.no_data_alert
    if status == "not_computable":
        details["reason"] = NO_DATA
    if slo.calendar is not None:
        span = elapsed(slo.calendar, end)
        details["calendar"] = calendar_budget(
            slo.calendar,
            end,
            counts.get(span, EventCounts(good=0, total=0)),
            slo.error_budget,
            burns[longest_page],
        )
    return Signal(
        detector=DETECTOR,
        model=slo.model,
        subject=slo.name,
        metric=METRIC,
        window_start=end - longest_page,
        window_end=end,
        value=None if nearest is None else nearest.effective_burn,
        threshold=(
            max(s.alert.burn_rate_factor for s in page)
            if nearest is None
            else nearest.alert.burn_rate_factor
        ),
        status=status,
        sample_size=counts[longest_page].total,
        details=details,
    )
