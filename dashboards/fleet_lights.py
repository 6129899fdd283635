"""The Fleet page's traffic lights: one pure function per signal family, of store records.

A light is ``green`` (nothing to do), ``amber`` (look today), ``red`` (act now) or ``grey``
(nothing known yet: never shown as green, since a model nobody measures is not a healthy one).
Each function takes the latest signal per subject of one detector (or the open alerts or
incidents of one model) and says why, in a few words, beside the colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from store.alerts import AlertRecord
from store.incidents import IncidentRecord
from store.records import Signal

Level = Literal["green", "amber", "red", "grey"]

#: Worst first: the order tiles are sorted in.
RANK: dict[Level, int] = {"red": 0, "amber": 1, "grey": 2, "green": 3}

#: A model with at least this share of its features (or checks) in breach is red, not amber.
RED_DRIFT_SHARE = 1 / 3

#: An SLO with less than this share of its error budget left is at least amber.
AMBER_BUDGET = 0.25


@dataclass(frozen=True, slots=True)
class Light:
    """One traffic light: its level and the words beside it."""

    level: Level
    text: str


def share_light(latest: Sequence[Signal], noun: str, verb: str, none: str) -> Light:
    """Green without a breach, red when at least :data:`RED_DRIFT_SHARE` of the computable
    subjects breach, amber below that; grey when nothing was computable."""
    computable = [s for s in latest if s.status != "not_computable"]
    if not computable:
        return Light("grey", none)
    breaches = sum(1 for s in computable if s.status == "breach")
    text = f"{breaches} of {len(computable)} {noun} {verb}"
    if breaches == 0:
        return Light("green", text)
    return Light("red" if breaches / len(computable) >= RED_DRIFT_SHARE else "amber", text)


def drift_light(latest: Sequence[Signal]) -> Light:
    """From the latest drift signal per feature: share of computable features that breach."""
    return share_light(latest, "features", "drifting", "no drift results")


def quality_light(latest: Sequence[Signal]) -> Light:
    """From the latest data-quality signal per check: share of computable checks failing."""
    return share_light(latest, "checks", "failing", "no quality results")


def bias_light(latest: Sequence[Signal]) -> Light:
    """From the latest fairness signal per metric and attribute: share outside their bounds."""
    return share_light(latest, "group metrics", "out of bounds", "no bias results")


def _number(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3g}"


def _straddles(signal: Signal, key: str) -> bool:
    """Whether the signal's uncertainty range (``details[key]``: low, high) holds its threshold."""
    span, threshold = signal.details.get(key), signal.threshold
    if not isinstance(span, dict) or threshold is None:
        return False
    low, high = span.get("low"), span.get("high")
    if not isinstance(low, int | float) or not isinstance(high, int | float):
        return False
    return bool(low <= threshold <= high)


def _metric_text(signal: Signal, prefix: str) -> str:
    return (
        f"{prefix}{signal.subject} {_number(signal.value)} (threshold {_number(signal.threshold)})"
    )


def performance_light(latest: Sequence[Signal], *, estimated: bool = False) -> Light:
    """Realized (or, ``estimated``, label-free) performance from the latest signal per metric.

    Red when a metric of the whole model breaches its bound; amber when only a segment
    (``metric/variant=…`` or ``metric/group``) breaches, or when a metric's uncertainty (the
    realized ``interval``, the estimate's ``band``) holds its threshold; green otherwise;
    grey when no metric was computable (no labels yet, too few predictions).
    """
    computable = [s for s in latest if s.status != "not_computable" and s.value is not None]
    what = "estimated " if estimated else ""
    if not computable:
        return Light("grey", f"no {what}performance results")
    overall = [s for s in computable if "/" not in s.subject] or computable
    segments = [s for s in computable if s not in overall]
    uncertain_key = "band" if estimated else "interval"
    broken = [s for s in overall if s.status == "breach"]
    if broken:
        return Light("red", _metric_text(broken[0], what))
    broken_segments = [s for s in segments if s.status == "breach"]
    if broken_segments:
        return Light("amber", _metric_text(broken_segments[0], what))
    unsure = [s for s in overall if _straddles(s, uncertain_key)]
    if unsure:
        return Light("amber", _metric_text(unsure[0], what) + ", within its uncertainty")
    return Light("green", _metric_text(overall[0], what))


def slo_light(latest: Sequence[Signal]) -> Light:
    """From the latest ``slo`` signal per SLO: the worst state and the lowest budget left."""
    if not latest:
        return Light("grey", "no SLOs")
    states = {str(s.details.get("state", "")) for s in latest}
    budgets = [b for s in latest if isinstance(b := s.details.get("budget_remaining"), int | float)]
    lowest = min(budgets, default=None)
    text = "no data" if lowest is None else f"lowest budget left {lowest:.0%}"
    if "page" in states or (lowest is not None and lowest <= 0):
        return Light("red", text)
    if states & {"ticket", "no_data"} or (lowest is not None and lowest < AMBER_BUDGET):
        return Light("amber", text)
    return Light("green", text)


def alerts_light(alerts: Sequence[AlertRecord]) -> Light:
    """Red with a critical alert open, amber with any other, green with none."""
    if not alerts:
        return Light("green", "no open alerts")
    text = f"{len(alerts)} open alert{'s' if len(alerts) > 1 else ''}"
    critical = any(a.labels.get("severity") in {"critical", "page"} for a in alerts)
    return Light("red" if critical else "amber", text)


def incidents_light(incidents: Sequence[IncidentRecord]) -> Light:
    """Red while an open incident waits for someone to acknowledge it, amber while open ones are
    being handled (acknowledged, mitigated), green with none open."""
    if not incidents:
        return Light("green", "no open incidents")
    waiting = sum(1 for i in incidents if i.status == "triggered")
    text = f"{len(incidents)} open incident{'s' if len(incidents) > 1 else ''}"
    if waiting:
        return Light("red", f"{text}, {waiting} unacknowledged")
    return Light("amber", f"{text}, all acknowledged")
