"""Drift per feature over time, bucketed for a heatmap: a pure function of signal points.

A month of 5-minute windows is 8,640 windows per feature: too many cells to draw or read.
Windows are grouped into buckets (5 minutes to a day, chosen so a range has at most
:data:`MAX_BUCKETS` columns). A cell's value is the worst drift in its bucket relative to
the threshold (``value / threshold``): 1 or more is a breach, whatever the method's scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from store.signal_history import SignalPoint

#: The most columns a heatmap gets.
MAX_BUCKETS = 180

#: The bucket sizes to choose from, smallest first.
BUCKETS = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(days=1),
)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One feature in one time bucket."""

    feature: str
    bucket: datetime
    ratio: float | None
    breaches: int
    windows: int


def bucket_size(span: timedelta) -> timedelta:
    """The smallest bucket that splits ``span`` into at most :data:`MAX_BUCKETS` columns."""
    return next((b for b in BUCKETS if span / b <= MAX_BUCKETS), BUCKETS[-1])


def bucket_start(at: datetime, size: timedelta) -> datetime:
    """Start of the bucket of ``size`` that holds ``at`` (aligned on UTC midnight)."""
    return at - (at.astimezone(UTC) - _EPOCH) % size


def _ratio(point: SignalPoint) -> float | None:
    if point.value is None or point.status == "not_computable":
        return None
    if not point.threshold:
        return None
    return point.value / point.threshold


def heat_cells(points: Iterable[SignalPoint], size: timedelta) -> list[HeatCell]:
    """One cell per (feature, bucket) with any signal; the worst ratio wins, ``None`` if none."""
    cells: dict[tuple[str, datetime], tuple[float | None, int, int]] = {}
    for point in points:
        key = (point.subject, bucket_start(point.window_end, size))
        worst, breaches, windows = cells.get(key, (None, 0, 0))
        ratio = _ratio(point)
        if ratio is not None and (worst is None or ratio > worst):
            worst = ratio
        cells[key] = (worst, breaches + (point.status == "breach"), windows + 1)
    return [
        HeatCell(feature=f, bucket=b, ratio=r, breaches=n, windows=w)
        for (f, b), (r, n, w) in sorted(cells.items())
    ]
