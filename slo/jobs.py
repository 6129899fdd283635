"""The scheduled job that evaluates every SLO, stores its signal and feeds its counters.

The job is the thin shell around :func:`slo.evaluate.evaluate`: it reads the counts of each
SLO's windows from the store (predictions or spans; detector signals for quality SLIs;
pipeline runs for freshness SLIs), evaluates them, and writes the signals. Alert windows are
resolved when the job is built, so an SLO period without windows fails at start.

Given :class:`slo.metrics.SLOMetrics`, each tick also adds to the SLO's Prometheus counters
the events of ``[previous window end, window end)``, read in the same query as the windows.
Events stored after their interval was counted (late or replayed predictions, late
detector signals or run reports) reach the signals but not the counters: counters never go back.

Prediction SLIs are counted from per-minute rollups the job extends at the start of each
tick (:mod:`slo.sli_rollup`); predictions stored more than the SLO's ``settle`` (default 10
minutes) after their minute are not counted by the signals either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.freshness import count_freshness_windows
from slo.metrics import SLOMetrics, record_counts
from slo.quality import count_quality_windows
from slo.sli import EventCounts, count_model_windows
from slo.sli_rollup import SLIRollups, count_rolled_windows
from slo.span_sli import count_span_windows
from slo.windows import AlertWindows
from store.durations import align
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals

JOB_NAME = "slo"

Plan = tuple[SLOSpec, AlertWindows]
#: Reads one SLO's counts over its spans ending at a given instant.
CountAlone = Callable[
    [Engine, SLOSpec, datetime, Iterable[timedelta]], dict[timedelta, EventCounts]
]
#: SLI kinds counted one SLO at a time (not from predictions).
_COUNT_ALONE: dict[str, CountAlone] = {
    "quality": count_quality_windows,
    "freshness": count_freshness_windows,
}


def count_slos(
    engine: Engine,
    requests: Sequence[tuple[SLOSpec, Iterable[timedelta]]],
    end: datetime,
    rolled: bool = False,
) -> list[dict[timedelta, EventCounts]]:
    """Each SLO's counts over its spans ending at ``end``, whatever its SLI kind.

    The prediction SLIs of one model share one statement (one read of its events); a quality
    SLI reads its detector's signals, a freshness SLI its pipeline's runs, an SLI with
    ``source: spans`` its service's spans. With ``rolled``, prediction SLIs are summed from
    their per-minute rollups where those cover the windows (:mod:`slo.sli_rollup`).
    """
    wanted = [(slo, set(spans)) for slo, spans in requests]
    found: dict[int, dict[timedelta, EventCounts]] = {}
    by_model: dict[str, list[int]] = {}
    for i, (slo, spans) in enumerate(wanted):
        count_alone = _COUNT_ALONE.get(slo.sli.kind)
        if slo.sli.source == "spans":
            count_alone = count_span_windows
        if count_alone is not None:
            found[i] = count_alone(engine, slo, end, spans)
        else:
            by_model.setdefault(slo.model, []).append(i)
    for model, indices in by_model.items():
        union = set().union(*(wanted[i][1] for i in indices))
        slis = [wanted[i][0].sli for i in indices]
        count = count_rolled_windows if rolled else count_model_windows
        for i, counts in zip(indices, count(engine, model, slis, end, union), strict=True):
            found[i] = {span: counts[span] for span in wanted[i][1]}
    return [found[i] for i in range(len(wanted))]


def evaluate_slos(engine: Engine, plans: Sequence[Plan], end: datetime) -> list[Signal]:
    """One signal per SLO for windows ending at ``end``; reads the store, writes nothing."""
    requests = [(slo, windows_needed(slo, windows, end)) for slo, windows in plans]
    counted = count_slos(engine, requests, end)
    return [
        evaluate(slo, windows, counts, end)
        for (slo, windows), counts in zip(plans, counted, strict=True)
    ]


class SLORunner:
    """One tick of the SLO job; remembers up to where each SLO's counters are fed."""

    def __init__(
        self,
        engine: Engine,
        plans: Sequence[Plan],
        interval: timedelta,
        metrics: SLOMetrics | None = None,
        rollups: bool = True,
    ) -> None:
        self._engine = engine
        self._rollups = SLIRollups([s for s, _ in plans]) if rollups else None
        self._plans = tuple(plans)
        self._interval = interval
        self._metrics = metrics
        self._counted_to: dict[tuple[str, str], datetime] = {}
        for slo, _ in self._plans:
            if metrics is not None:
                metrics.register(slo.model, slo.name)

    def _fresh(self, slo: SLOSpec, end: datetime) -> timedelta | None:
        """The span of events the counters have not seen yet (at most one period)."""
        if self._metrics is None:
            return None
        last = self._counted_to.get((slo.model, slo.name))
        if last is None:
            return self._interval
        return min(end - last, slo.window) if end > last else None

    def __call__(self, now: datetime) -> list[Signal]:
        """Evaluate and store every SLO for windows ending at ``now`` aligned to the interval.

        Returns every signal evaluated, including any already stored by an earlier run for the
        same window end (the store keeps the first).
        """
        end = align(now, self._interval)
        needed = [windows_needed(slo, windows, end) for slo, windows in self._plans]
        fresh = [self._fresh(slo, end) for slo, _ in self._plans]
        requests = [
            (slo, {*spans, *([extra] if extra else [])})
            for (slo, _), spans, extra in zip(self._plans, needed, fresh, strict=True)
        ]
        if self._rollups is not None:
            self._rollups.roll(self._engine, end, now)
        counted = count_slos(self._engine, requests, end, rolled=self._rollups is not None)
        found = []
        for (slo, windows), spans, extra, counts in zip(
            self._plans, needed, fresh, counted, strict=True
        ):
            found.append(evaluate(slo, windows, {span: counts[span] for span in spans}, end))
            if extra is not None and self._metrics is not None:
                record_counts(self._metrics, slo.model, slo.name, counts[extra])
                self._counted_to[(slo.model, slo.name)] = end
        write_signals(self._engine, found, now)
        return found


def slo_job(
    engine: Engine,
    slos: Sequence[SLOSpec],
    interval: timedelta = timedelta(minutes=1),
    catalog: Mapping[timedelta, AlertWindows] | None = None,
    metrics: SLOMetrics | None = None,
    rollups: bool = True,
) -> ScheduledJob:
    """A job that, every ``interval``, evaluates ``slos`` and stores one signal per SLO.

    ``catalog`` maps SLO periods to alert windows (default: the windows shipped in
    ``slo/windows``); an SLO with its own ``alert_windows`` uses those. Raises
    :class:`slo.errors.UnsupportedPeriod` for a period without windows, and ValueError when
    two SLOs of a model share a name (their signals and series would collide). ``metrics``,
    if given, receives each SLO's counts (see the module docstring). Prediction SLIs are
    counted from per-minute rollups that each tick extends, re-counting the last ``settle``
    minutes of each SLO so late predictions are counted (:mod:`slo.sli_rollup`);
    ``rollups=False`` counts every window from raw rows instead.
    """
    seen: set[tuple[str, str]] = set()
    for slo in slos:
        if (slo.model, slo.name) in seen:
            raise ValueError(f"SLO {slo.name!r} of model {slo.model!r} is defined twice")
        seen.add((slo.model, slo.name))
    plans = [(slo, slo.windows(catalog)) for slo in slos]
    return ScheduledJob(
        name=JOB_NAME, interval=interval, run=SLORunner(engine, plans, interval, metrics, rollups)
    )
