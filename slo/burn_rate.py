"""Burn-rate and error-budget arithmetic: pure functions of counts, ratios and durations.

A burn rate is the error ratio over a window divided by the error budget (``1 - objective``):
at 1x the budget lasts exactly the SLO period, at 14.4x a 30-day budget is gone in 50 hours.
A multiwindow alert fires while *both* its long and its short window burn faster than its
factor: the long window makes it significant, the short one lets it reset soon after the
errors stop (SRE Workbook, "Alerting on SLOs").

The detection-time functions assume what the Workbook's table assumes: on constant traffic
the error ratio steps from 0 to a constant ``error_rate`` at t=0, and windows are exact
sliding means. After t the long window holds ``error_rate * t / long`` and the short one
``error_rate * min(t, short) / short``, so the long window is the one that decides.

Windows without events give ``None``, never 0: no data is not good data.
"""

from __future__ import annotations

from datetime import timedelta


def error_ratio(bad: int, total: int) -> float | None:
    """The fraction of bad events, or None when there were no events."""
    if not 0 <= bad <= total:
        raise ValueError(f"need 0 <= bad <= total, got bad={bad}, total={total}")
    return bad / total if total else None


def ratio_burn_rate(ratio: float, error_budget: float) -> float:
    """How many times faster than sustainable an error ratio spends the budget."""
    if not 0 < error_budget < 1:
        raise ValueError(f"error budget must be in (0, 1), got {error_budget}")
    return ratio / error_budget


def burn_rate(bad: int, total: int, error_budget: float) -> float | None:
    """The burn rate of a window with ``bad`` of ``total`` events bad; None without events."""
    ratio = error_ratio(bad, total)
    return None if ratio is None else ratio_burn_rate(ratio, error_budget)


def alert_fires(long_burn: float | None, short_burn: float | None, factor: float) -> bool:
    """Whether a multiwindow alert holds: both windows have data and burn above ``factor``."""
    if long_burn is None or short_burn is None:
        return False
    return long_burn > factor and short_burn > factor


def budget_remaining(bad: int, total: int, error_budget: float) -> float | None:
    """The share of the period's error budget still unspent (1 = untouched, < 0 = overspent).

    The budget of a request-based SLO is ``error_budget * total`` bad events; ``bad`` of them
    are spent. None when the period had no events.
    """
    burn = burn_rate(bad, total, error_budget)
    return None if burn is None else 1 - burn


def time_to_exhaustion(remaining: float, burn: float | None, period: timedelta) -> timedelta | None:
    """How long ``remaining`` of the budget lasts at a constant ``burn``; None if it is not spent.

    At 1x the whole budget lasts one ``period``; an already spent budget is exhausted now.
    """
    if remaining <= 0:
        return timedelta(0)
    if burn is None or burn <= 0:
        return None
    return period * (remaining / burn)


def time_to_fire(
    error_rate: float,
    error_budget: float,
    factor: float,
    long_window: timedelta,
    short_window: timedelta,
) -> timedelta | None:
    """After errors start at ``error_rate``, when the alert fires; None if it never does."""
    threshold = factor * error_budget
    if error_rate <= threshold:
        return None
    return max(long_window, short_window) * (threshold / error_rate)


def budget_consumed_at_fire(factor: float, long_window: timedelta, period: timedelta) -> float:
    """The share of the period's budget spent when the alert fires, whatever the error rate.

    Spent = ``error_rate * time_to_fire`` = ``factor * error_budget * long_window`` events per
    unit of traffic, out of a budget of ``error_budget * period``.
    """
    return factor * (long_window / period)


def time_to_reset(
    error_rate: float,
    error_budget: float,
    factor: float,
    long_window: timedelta,
    short_window: timedelta,
) -> timedelta | None:
    """After saturating errors stop, when the alert stops firing; None if it never fired.

    A full window stays above the threshold for ``window * (1 - threshold / error_rate)``;
    the alert needs both, so the shorter window ends it.
    """
    threshold = factor * error_budget
    if error_rate <= threshold:
        return None
    return min(long_window, short_window) * (1 - threshold / error_rate)


def calendar_time_to_exhaustion(
    remaining: float, burn: float | None, elapsed: timedelta
) -> timedelta | None:
    """When a calendar period's ratio-to-date crosses the objective; None if it never does.

    A calendar budget is spent when the period's error ratio so far reaches the budget. With
    traffic steady at its rate so far and errors burning at ``burn`` from now on, the ratio
    after ``elapsed`` + t is ``(spent + burn * budget * t) / (elapsed + t)`` in budget units,
    which reaches 1 at ``t = elapsed * remaining / (burn - 1)``. At 1x or below, it never
    does: the ratio only moves toward ``burn``.
    """
    if remaining <= 0:
        return timedelta(0)
    if burn is None or burn <= 1:
        return None
    return elapsed * (remaining / (burn - 1))
