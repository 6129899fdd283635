"""Quality SLIs: the share of a detector's windows in which its value met the target.

Each evaluated window of the detector is one event. It is counted when its signal was
computable, and good when the value met the SLI's ``target``. A window whose signal was not
computable is not counted at all, so an SLO over a detector that could not run has no data
(and says so) rather than a perfect record.

For ``metric: breach_share``, a window's value is the share of the detector's computable
signals that ended in breach (for ``drift``: the share of drifted features); a window is
counted when at least one of its signals was computable.

:func:`window_outcomes` and :func:`count_outcomes` are pure; :func:`count_quality_windows`
reads the store (one query for all windows of an evaluation) and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.sli import EventCounts
from slo.sli_config import BREACH_SHARE, QualityTarget
from store.signal_windows import (
    MetricObservation,
    WindowBreaches,
    breaches_per_window,
    metric_observations,
)

#: A window's end and whether it met the target (None: not counted).
Outcome = tuple[datetime, bool | None]


def window_outcomes(
    target: QualityTarget, rows: Sequence[MetricObservation] | Sequence[WindowBreaches]
) -> list[Outcome]:
    """Whether each observed window met ``target``."""
    outcomes: list[Outcome] = []
    for row in rows:
        if isinstance(row, WindowBreaches):
            value = row.breaches / row.computable if row.computable else None
        else:
            value = row.value
        outcomes.append((row.window_end, None if value is None else target.met(value)))
    return outcomes


def count_outcomes(
    outcomes: Iterable[Outcome], end: datetime, spans: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """For each span, the counted and good windows ending in ``[end - span, end)``."""
    known = [(at, met) for at, met in outcomes if met is not None and at < end]
    counts = {}
    for span in sorted(set(spans)):
        inside = [met for at, met in known if at >= end - span]
        counts[span] = EventCounts(good=sum(inside), total=len(inside))
    return counts


def count_quality_windows(
    engine: Engine, slo: SLOSpec, end: datetime, spans: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """The quality SLO's counts over each span ending at ``end``, in one read."""
    sli = slo.sli
    if sli.detector is None or sli.metric is None or sli.target is None:
        raise ValueError(f"SLO {slo.name!r} is not a quality SLO")
    wanted = sorted(set(spans))
    if not wanted or wanted[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    since = end - wanted[-1]
    rows: Sequence[MetricObservation] | Sequence[WindowBreaches]
    if sli.metric == BREACH_SHARE:
        rows = breaches_per_window(engine, slo.model, sli.detector, since, end)
    else:
        rows = metric_observations(
            engine, slo.model, sli.detector, sli.metric, since, end, sli.subject
        )
    return count_outcomes(window_outcomes(sli.target, rows), end, wanted)
