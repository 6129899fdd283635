"""SLO window counts from per-minute rollups, kept up to date by the SLO job itself.

Counting raw predictions over every window of every tick reads everything stored in the
longest window (up to 30 days) once a minute. Instead, each tick of the ``slo`` job first
rolls up (:meth:`SLIRollups.roll`), per model and per prediction SLI series (availability,
or latency at one configured threshold: :func:`rollup_series`), the minutes it has not
rolled yet, from the raw rows, into ``sli_minutes`` and ``sli_hours``
(:mod:`store.sli_rollups`); then windows are sums of those rows
(:func:`count_rolled_windows`): a 30-day window is ~720 hour rows and at most ~120 minute
rows per series, whatever the traffic.

**Late arrivals and ``settle``.** A minute's rollup is a snapshot of the raw rows when it
was counted. Each tick re-counts the last ``settle`` minutes (the SLO's ``settle``, default
10 minutes) besides any minute never counted, so a prediction is counted when it is stored
before the first tick whose window end is more than ``settle`` after the start of its ``ts``
minute (with one-minute ticks: up to ``settle`` after its minute ended): each tick re-counts
from ``settle`` before the end of the previous one. A prediction stored later than that, for
a minute already settled, is **not** counted by the SLO (the raw rows keep it; the
dashboards and detectors see it). The tradeoff: a longer ``settle`` tolerates later events (a spool
replayed after an outage, a batch uploader) at the cost of recounting ``settle`` minutes
of raw rows every tick (at 1M predictions/day, ~700 rows a minute); ``settle: 0`` counts
each minute once, when the window end passes it. Minutes the rollups have never covered
(before the first event a series saw, history older than the longest window of the model's
SLOs on the first tick, or the unfinished minute at a window end that is not on a minute)
are always counted from raw rows, so they are exact.

The first tick of a series (after an upgrade, or for a new threshold) rolls up its history
once, in SQL: about 17 s for 25 models x 4 series x 30 days of one event a minute on SQLite
(``bench/slo``), in proportion to the predictions stored.

Up to those late events, the counts are identical to :func:`slo.sli.count_model_windows`
(``tests/slo/test_slo_rollup.py`` checks it on random data, on SQLite and PostgreSQL).
Rolling is idempotent (upserts, and the covered range only grows), so a tick repeated on
another replica, or re-run after a crash, writes the same rows; under PostgreSQL the job
already runs under its advisory lock (``store/job_lock.py``).

Span, quality and freshness SLIs are not rolled up: spans are counted per window segment
from ``spans`` (one indexed range query each; span traffic is a small fraction of
predictions in the deployments this targets), quality SLIs read detector signals (a few per
window) and freshness SLIs pipeline runs (a few a day); none of them reads many rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from slo.config import SLISpec, SLOSpec
from slo.sli import EventCounts, count_model_windows, count_ranges, cumulate
from store.sli_rollups import (
    MINUTE,
    RollupSeries,
    ceil_to,
    first_event,
    floor_to,
    load_marks,
    roll_up,
    sum_rollups,
)

#: The longest a calendar period runs.
_CALENDAR = {"month": timedelta(days=31), "week": timedelta(days=7)}


def rollup_series(sli: SLISpec) -> RollupSeries | None:
    """The rollup series that counts ``sli``, or None if it is not counted from predictions."""
    if sli.source != "predictions":
        return None
    if sli.kind == "availability":
        return RollupSeries()
    if sli.kind == "latency" and sli.threshold_ms is not None:
        return RollupSeries(latency_ms=float(sli.threshold_ms))
    return None


class SLIRollups:
    """Rolls up the prediction SLIs of a set of SLOs; one instance per SLO job.

    A series shared by several SLOs (two availability SLOs of one model, say) is re-counted
    over the longest ``settle`` among them.
    """

    def __init__(self, slos: Sequence[SLOSpec]) -> None:
        self.settle: dict[tuple[str, RollupSeries], timedelta] = {}
        self.series: dict[str, list[RollupSeries]] = {}
        #: Per model, the longest any of its SLOs looks back: older events are not rolled
        #: up on a first tick (they are counted from raw rows, should a window reach them).
        self.horizon: dict[str, timedelta] = {}
        for slo in slos:
            series = rollup_series(slo.sli)
            if series is None:
                continue
            if slo.settle < timedelta(0) or slo.settle % MINUTE:
                raise ValueError("settle must be a whole number of minutes, 0 or more")
            if series not in self.series.get(slo.model, []):
                self.series.setdefault(slo.model, []).append(series)
            key = (slo.model, series)
            self.settle[key] = max(self.settle.get(key, slo.settle), slo.settle)
            longest = max(slo.window, _CALENDAR.get(slo.calendar or "", slo.window))
            self.horizon[slo.model] = max(self.horizon.get(slo.model, longest), longest)

    def roll(self, engine: Engine, end: datetime, now: datetime) -> None:
        """Roll every series up to the minute of ``end``, re-counting the last ``settle``."""
        stop = floor_to(end, MINUTE)
        for model, series in self.series.items():
            marks = load_marks(engine, model)
            starts: dict[datetime, list[RollupSeries]] = {}
            new_start: datetime | None = None
            for one in series:
                mark = marks.get(one.key)
                if mark is None:
                    # A new series: from its model's first event, within the horizon.
                    if new_start is None:
                        earliest = first_event(engine, model)
                        oldest = floor_to(stop - self.horizon[model], MINUTE)
                        new_start = stop if earliest is None else floor_to(earliest, MINUTE)
                        new_start = min(max(new_start, oldest), stop)
                    start = new_start
                else:
                    # Minutes within settle of the last end rolled are not settled yet.
                    settle = self.settle[(model, one)]
                    start = max(mark.start, min(mark.end, stop) - settle)
                if start < stop or (mark is None and start == stop):
                    starts.setdefault(start, []).append(one)
            for start, group in sorted(starts.items()):
                roll_up(engine, model, group, start, stop, marks, now)


def count_rolled_windows(
    engine: Engine,
    model: str,
    slis: Sequence[SLISpec],
    end: datetime,
    windows: Iterable[timedelta],
) -> list[dict[timedelta, EventCounts]]:
    """:func:`slo.sli.count_model_windows`, from rollups where they cover the windows.

    The windows' segments (see :mod:`slo.sli`) are split into whole minutes inside the
    range every SLI's series covers, summed from the rollups, and the rest (before the
    range, after it, and part minutes at the ends), counted from raw rows. Without a
    rollup for one of the SLIs, everything is counted from raw rows.
    """
    spans = sorted(set(windows))
    if not spans or spans[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    series = [rollup_series(sli) for sli in slis]
    marks = load_marks(engine, model)
    keys = [one.key for one in series if one is not None]
    if len(keys) != len(slis) or any(key not in marks for key in keys):
        return count_model_windows(engine, model, slis, end, spans)
    covered_from = max(marks[key].start for key in keys)
    covered_to = min(marks[key].end for key in keys)
    bounds = [end] + [end - span for span in spans]
    raw: list[tuple[int, datetime, datetime]] = []
    rolled: list[tuple[int, datetime, datetime]] = []
    for i in range(len(spans)):
        low, high = bounds[i + 1], bounds[i]
        first = max(ceil_to(low, MINUTE), covered_from)
        last = min(floor_to(high, MINUTE), covered_to)
        if first < last:
            rolled.append((i, first, last))
            raw += [(i, a, b) for a, b in ((low, first), (last, high)) if a < b]
        else:
            raw.append((i, low, high))
    segments = [[EventCounts(0, 0) for _ in slis] for _ in spans]
    raw_counts = count_ranges(engine, model, slis, [(a, b) for _, a, b in raw])
    for (i, _, _), found in zip(raw, raw_counts, strict=True):
        segments[i] = [_add(x, y) for x, y in zip(segments[i], found, strict=True)]
    sums = sum_rollups(engine, model, sorted(set(keys)), [(a, b) for _, a, b in rolled])
    for (i, _, _), found_sums in zip(rolled, sums, strict=True):
        segments[i] = [
            _add(x, EventCounts(*found_sums[key])) for x, key in zip(segments[i], keys, strict=True)
        ]
    return cumulate(spans, segments, len(slis))


def _add(a: EventCounts, b: EventCounts) -> EventCounts:
    return EventCounts(good=a.good + b.good, total=a.total + b.total)
