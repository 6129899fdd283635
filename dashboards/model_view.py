"""Shaping a model's performance, fairness, variant and distribution signals for its page.

Pure functions of stored signals (no database, no Streamlit):

- :func:`performance_points`: realized performance (with its confidence interval and label
  coverage) and estimated performance (with its band) over time, for the whole model;
- :func:`fairness_rows` and :func:`group_rates`: the latest fairness metrics (with their
  bootstrap interval when stored), and each protected group's selection rate with its
  Wilson interval (the stored one, else computed at 95% from the group's size);
- :func:`variant_rows`: the latest realized metrics per experiment arm, side by side;
- :func:`category_shares` and :func:`numeric_summary`: a feature's reference and current
  distribution as its latest drift signal recorded them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.records import Signal

PERFORMANCE, ESTIMATED, FAIRNESS = "performance", "estimated_performance", "fairness"
VARIANT = "/variant="

#: Normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class PerfPoint:
    window_end: datetime
    kind: str  # "realized" or "estimated"
    metric: str
    value: float
    low: float | None
    high: float | None
    coverage: float | None


@dataclass(frozen=True, slots=True)
class FairnessRow:
    metric: str
    attribute: str
    value: float | None
    low: float | None
    high: float | None
    threshold: float | None
    status: str


@dataclass(frozen=True, slots=True)
class GroupRate:
    attribute: str
    group: str
    size: int
    selection_rate: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class VariantRow:
    metric: str
    variant: str
    value: float | None
    low: float | None
    high: float | None
    coverage: float | None
    sample_size: int


@dataclass(frozen=True, slots=True)
class CategoryShare:
    category: str
    source: str  # "reference" or "current"
    share: float


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _bounds(details: Mapping[str, Any], key: str) -> tuple[float | None, float | None]:
    found = details.get(key)
    if not isinstance(found, Mapping):
        return None, None
    return _number(found.get("low")), _number(found.get("high"))


def performance_points(signals: Iterable[Signal]) -> list[PerfPoint]:
    """Whole-model performance points (groups and variants left out), oldest first."""
    points = []
    for s in signals:
        if s.detector not in (PERFORMANCE, ESTIMATED) or "/" in s.subject or s.value is None:
            continue
        realized = s.detector == PERFORMANCE
        low, high = _bounds(s.details, "interval" if realized else "band")
        points.append(
            PerfPoint(
                window_end=s.window_end,
                kind="realized" if realized else "estimated",
                metric=s.metric,
                value=float(s.value),
                low=low,
                high=high,
                coverage=_number(s.details.get("coverage")) if realized else None,
            )
        )
    return sorted(points, key=lambda p: (p.metric, p.window_end, p.kind))


def wilson(rate: float, size: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``rate`` observed on ``size`` rows."""
    if size <= 0:
        return 0.0, 1.0
    denominator = 1 + z * z / size
    centre = (rate + z * z / (2 * size)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / size + z * z / (4 * size * size)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def fairness_rows(latest: Iterable[Signal]) -> list[FairnessRow]:
    """The latest value of every fairness metric per attribute, breaches first."""
    rows = [
        FairnessRow(
            metric=s.metric,
            attribute=str(s.details.get("attribute", s.subject.split("/", 1)[-1])),
            value=s.value,
            low=_bounds(s.details, "interval")[0],
            high=_bounds(s.details, "interval")[1],
            threshold=s.threshold,
            status=s.status,
        )
        for s in latest
        if s.detector == FAIRNESS
    ]
    return sorted(rows, key=lambda r: (r.status != "breach", r.attribute, r.metric))


def _stored_interval(details: Mapping[str, Any], group: str) -> tuple[float, float] | None:
    """The detector's own interval of a group's selection rate, when it recorded one."""
    found = details.get("group_intervals")
    rates = found.get(group) if isinstance(found, Mapping) else None
    pair = rates.get("selection_rate") if isinstance(rates, Mapping) else None
    if isinstance(pair, list | tuple) and len(pair) == 2:
        low, high = _number(pair[0]), _number(pair[1])
        if low is not None and high is not None:
            return low, high
    return None


def group_rates(latest: Iterable[Signal]) -> list[GroupRate]:
    """Each protected group's selection rate and 95% interval, once per attribute: the
    detector's stored Wilson interval when there is one, else computed from the group size."""
    seen: set[str] = set()
    rates = []
    for s in latest:
        attribute = str(s.details.get("attribute", ""))
        groups = s.details.get("groups")
        if s.detector != FAIRNESS or attribute in seen or not isinstance(groups, Mapping):
            continue
        seen.add(attribute)
        for group, values in sorted(groups.items()):
            rate = _number(values.get("selection_rate")) if isinstance(values, Mapping) else None
            size = int(values.get("size", 0)) if isinstance(values, Mapping) else 0
            if rate is None:
                continue
            low, high = _stored_interval(s.details, str(group)) or wilson(rate, size)
            rates.append(GroupRate(attribute, str(group), size, rate, low, high))
    return rates


def variant_rows(latest: Iterable[Signal]) -> list[VariantRow]:
    """The latest realized metric of each experiment arm, by metric then arm."""
    rows = []
    for s in latest:
        if s.detector != PERFORMANCE or VARIANT not in s.subject:
            continue
        low, high = _bounds(s.details, "interval")
        rows.append(
            VariantRow(
                metric=s.metric,
                variant=s.subject.split(VARIANT, 1)[1],
                value=s.value,
                low=low,
                high=high,
                coverage=_number(s.details.get("coverage")),
                sample_size=s.sample_size,
            )
        )
    return sorted(rows, key=lambda r: (r.metric, r.variant))


def category_shares(details: Mapping[str, Any]) -> list[CategoryShare]:
    """Reference and current shares of a categorical feature's most frequent categories."""
    shares = []
    for source in ("reference", "current"):
        top = details.get(f"{source}_top")
        if isinstance(top, Mapping):
            shares += [
                CategoryShare(str(k), source, float(v))
                for k, v in top.items()
                if _number(v) is not None
            ]
    return shares


def numeric_summary(details: Mapping[str, Any]) -> dict[str, float | None]:
    """The reference mean and spread and the current mean a numeric drift signal recorded."""
    return {
        key: _number(details.get(key))
        for key in ("reference_mean", "reference_std", "current_mean", "current_std")
    }


def numeric_values(rows: Iterable[Mapping[str, Any]], feature: str) -> list[float]:
    """The finite numeric values of ``feature`` in prediction feature rows."""
    found = []
    for row in rows:
        value = row.get(feature)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and math.isfinite(value):  # type: ignore[arg-type]
            found.append(float(value))  # type: ignore[arg-type]
    return found
