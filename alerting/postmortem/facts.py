"""What a postmortem states, and the pure functions that derive it from stored records.

Nothing here reads the store (:mod:`alerting.postmortem.gather` does) or formats text
(:mod:`alerting.postmortem.document` does). Definitions, stated once:

* **incident window**: from the start of the first window in which a triggering subject
  breached (else the incident's opening) to its resolution, or to ``now`` while it is open.
  It is an upper bound of when predictions could have been affected;
* **predictions affected**: every prediction of the model in the incident window;
* **error budget consumed**: per SLO of the model, the budget remaining at the first SLO
  evaluation of the window minus the budget remaining at the last one;
* **groups affected**: for each fairness signal that breached in the window, the attribute's
  groups it compared (with their selection rates at the worst breach).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from alerting.incidents import Durations
from store.actions import ActionRecord
from store.alerts import AlertRecord
from store.incidents import IncidentEvent, IncidentRecord
from store.notifications import NotificationRecord
from store.records import Signal, StoredSignal

#: Detectors whose signals carry what the impact section needs.
DRIFT, SLO, FAIRNESS = "drift", "slo", "fairness"


@dataclass(frozen=True)
class Subject:
    """A (subject, metric) an alert fired on, as listed in its ``subjects`` annotation."""

    subject: str
    metric: str


@dataclass(frozen=True)
class SignalSeries:
    """One triggering subject's signals over the evidence range, for a chart."""

    detector: str
    subject: str
    metric: str
    threshold: float | None
    points: tuple[tuple[datetime, float | None, str], ...]  # (window end, value, status)


@dataclass(frozen=True)
class DriftedFeature:
    """A feature that drifted in the incident window."""

    feature: str
    metric: str
    threshold: float | None
    worst: float
    first_breach: datetime
    windows: int


@dataclass(frozen=True)
class BudgetUse:
    """How much of an SLO's error budget the incident window consumed."""

    slo: str
    before: float | None
    after: float | None

    @property
    def consumed(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return max(self.before - self.after, 0.0)


@dataclass(frozen=True)
class GroupHarm:
    """A fairness metric that breached for an attribute, and the groups it compared."""

    metric: str
    attribute: str
    worst: float
    threshold: float | None
    groups: tuple[tuple[str, float | None, int], ...]  # (group, selection rate, size)


@dataclass(frozen=True)
class Impact:
    """How bad it was: window, predictions, budgets, groups."""

    start: datetime
    end: datetime
    ongoing: bool
    predictions: int
    budgets: tuple[BudgetUse, ...]
    groups: tuple[GroupHarm, ...]

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Postmortem:
    """Everything the draft states about one incident, as of ``now``."""

    incident: IncidentRecord
    durations: Durations
    timeline: tuple[IncidentEvent, ...]
    alerts: tuple[AlertRecord, ...]
    series: tuple[SignalSeries, ...]
    drifted: tuple[DriftedFeature, ...]
    impact: Impact
    actions: tuple[ActionRecord, ...]
    notifications: tuple[NotificationRecord, ...]
    now: datetime


def triggering_subjects(alerts: Iterable[AlertRecord]) -> list[Subject]:
    """The (subject, metric) pairs the alerts fired on, in order of first mention."""
    found: dict[Subject, None] = {}
    for alert in alerts:
        for item in alert.annotations.get("subjects", []):
            if isinstance(item, dict) and isinstance(item.get("subject"), str):
                found.setdefault(Subject(item["subject"], str(item.get("metric", ""))))
    return list(found)


def series_of(signals: Sequence[StoredSignal], subjects: Sequence[Subject]) -> list[SignalSeries]:
    """One series per triggering subject (signals oldest first), in the subjects' order."""
    found = []
    for wanted in subjects:
        mine = [
            s.signal
            for s in signals
            if s.signal.subject == wanted.subject
            and (not wanted.metric or s.signal.metric == wanted.metric)
        ]
        if not mine:
            continue
        found.append(
            SignalSeries(
                detector=mine[-1].detector,
                subject=wanted.subject,
                metric=mine[-1].metric,
                threshold=mine[-1].threshold,
                points=tuple((s.window_end, s.value, s.status) for s in mine),
            )
        )
    return found


def first_breach_start(
    series: Iterable[SignalSeries], signals: Sequence[StoredSignal]
) -> datetime | None:
    """The start of the earliest breaching window among the triggering subjects."""
    keys = {(s.subject, s.metric) for s in series}
    starts = [
        s.signal.window_start
        for s in signals
        if s.signal.status == "breach" and (s.signal.subject, s.signal.metric) in keys
    ]
    return min(starts, default=None)


def drifted_features(signals: Iterable[Signal]) -> list[DriftedFeature]:
    """Features whose drift signal breached, worst first (then by name)."""
    by_feature: dict[str, list[Signal]] = {}
    for s in signals:
        if s.detector == DRIFT and s.status == "breach" and s.value is not None:
            by_feature.setdefault(s.subject, []).append(s)
    found = [
        DriftedFeature(
            feature=name,
            metric=found[-1].metric,
            threshold=found[-1].threshold,
            worst=max(float(s.value) for s in found if s.value is not None),
            first_breach=min(s.window_end for s in found),
            windows=len(found),
        )
        for name, found in by_feature.items()
    ]
    return sorted(found, key=lambda d: (-d.worst / (d.threshold or 1.0), d.feature))


def _remaining(signal: Signal) -> float | None:
    value = signal.details.get("budget_remaining")
    return float(value) if isinstance(value, int | float) else None


def budget_use(signals: Iterable[Signal]) -> list[BudgetUse]:
    """Per SLO (signals oldest first): budget remaining at its first and last evaluation."""
    by_slo: dict[str, list[Signal]] = {}
    for s in signals:
        if s.detector == SLO:
            by_slo.setdefault(s.subject, []).append(s)
    return [
        BudgetUse(name, _remaining(found[0]), _remaining(found[-1]))
        for name, found in sorted(by_slo.items())
    ]


def _groups(details: dict[str, Any]) -> tuple[tuple[str, float | None, int], ...]:
    table = details.get("groups")
    if not isinstance(table, dict):
        return ()
    rows = []
    for group, rates in sorted(table.items()):
        rate = rates.get("selection_rate") if isinstance(rates, dict) else None
        size = rates.get("size", 0) if isinstance(rates, dict) else 0
        rows.append((str(group), float(rate) if rate is not None else None, int(size or 0)))
    return tuple(rows)


def _worse(a: Signal, b: Signal) -> bool:
    """Whether ``a`` is further past its bound than ``b`` (a minimum: lower is worse)."""
    bound = a.details.get("bound")
    lower_is_worse = isinstance(bound, dict) and bound.get("min") is not None
    x, y = float(a.value or 0.0), float(b.value or 0.0)
    return x < y if lower_is_worse else x > y


def group_harm(signals: Iterable[Signal]) -> list[GroupHarm]:
    """Per breaching (fairness metric, attribute): its worst value and the groups compared."""
    worst: dict[tuple[str, str], Signal] = {}
    for s in signals:
        if s.detector != FAIRNESS or s.status != "breach" or s.value is None:
            continue
        key = (s.metric, str(s.details.get("attribute", s.subject)))
        seen = worst.get(key)
        if seen is None or _worse(s, seen):
            worst[key] = s
    return [
        GroupHarm(metric, attribute, float(s.value or 0.0), s.threshold, _groups(s.details))
        for (metric, attribute), s in sorted(worst.items())
    ]
