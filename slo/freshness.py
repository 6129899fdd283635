"""Freshness SLIs: the share of minutes in which a pipeline's output was fresh enough.

Each whole UTC minute of a window is one event, once the pipeline has reported its first run
(before that there is no data, so the minute is not counted). A minute ``t`` is good when
the newest output of the successful runs known at ``t`` (``store.freshness``) is at most
``max_age`` old: ``t - newest <= max_age``. A pipeline that reported runs but never succeeded
is stale, not silent: its minutes count, and they are bad.

Minutes are the whole minutes ``t`` with ``start <= t < end`` for a window ``[start, end)``,
so consecutive windows share no minute: the SLO job's counters, fed one tick at a time, count
each minute once, and ``rate()`` over them is the share of fresh minutes.

:func:`count_fresh_minutes` is pure (numpy over the minute grid of the longest window);
:func:`count_freshness_windows` reads the runs in one query and counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.sli import EventCounts
from store.freshness import FreshnessHistory, freshness_history

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MINUTE_US = 60_000_000
#: Older than any time: "no output known yet".
_NEVER = np.iinfo(np.int64).min

Micros = npt.NDArray[np.int64]


def _us(at: datetime) -> int:
    return (at - _EPOCH) // _US


def _minutes(start: datetime, end: datetime) -> Micros:
    """The whole UTC minutes in ``[start, end)``, in microseconds since the epoch."""
    first = -(-_us(start) // _MINUTE_US) * _MINUTE_US
    return np.arange(first, _us(end), _MINUTE_US, dtype=np.int64)


def fresh_at(history: FreshnessHistory, minutes: Micros, max_age: timedelta) -> Micros:
    """Per minute: 1 if fresh, 0 if stale, -1 if before the pipeline's first report."""
    known = np.array([_NEVER] + [_us(at) for at, _ in history.runs], dtype=np.int64)
    before = _NEVER if history.fresh_before is None else _us(history.fresh_before)
    newest = np.maximum.accumulate(
        np.array([before] + [_us(as_of) for _, as_of in history.runs], dtype=np.int64)
    )
    latest = newest[np.searchsorted(known, minutes, side="right") - 1]
    fresh = latest >= minutes - max_age // _US  # never true of _NEVER
    if history.first_report is None:
        counted = np.zeros(minutes.shape, dtype=bool)
    else:
        counted = minutes >= _us(history.first_report)
    return np.where(counted, fresh.astype(np.int64), -1)


def count_fresh_minutes(
    history: FreshnessHistory, max_age: timedelta, end: datetime, spans: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """For each span, the counted and fresh minutes in ``[end - span, end)``."""
    wanted = sorted(set(spans))
    if not wanted or wanted[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    minutes = _minutes(end - wanted[-1], end)
    state = fresh_at(history, minutes, max_age)
    # Sums from each minute to the end, so a window's counts are one lookup.
    good = np.concatenate([np.cumsum((state == 1)[::-1])[::-1], [0]])
    total = np.concatenate([np.cumsum((state >= 0)[::-1])[::-1], [0]])
    counts = {}
    for span in wanted:
        first = int(np.searchsorted(minutes, _us(end - span), side="left"))
        counts[span] = EventCounts(good=int(good[first]), total=int(total[first]))
    return counts


def count_freshness_windows(
    engine: Engine, slo: SLOSpec, end: datetime, spans: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """The freshness SLO's counts over each span ending at ``end``, from one read of its runs."""
    sli = slo.sli
    if sli.pipeline is None or sli.max_age is None:
        raise ValueError(f"SLO {slo.name!r} is not a freshness SLO")
    wanted = sorted(set(spans))
    if not wanted or wanted[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    history = freshness_history(engine, sli.pipeline, end - wanted[-1], end)
    return count_fresh_minutes(history, sli.max_age, end, wanted)
