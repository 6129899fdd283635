"""The scheduled job that evaluates every SLO and stores its signal.

The job is the thin shell around :func:`slo.evaluate.evaluate`: it reads the counts of each
SLO's windows from the store, evaluates them, and writes the signals. Alert windows are
resolved when the job is built, so an SLO period without windows fails at start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.sli import count_windows
from slo.windows import AlertWindows, windows_for
from store.durations import align
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals

JOB_NAME = "slo"


def evaluate_slos(
    engine: Engine, plans: Sequence[tuple[SLOSpec, AlertWindows]], end: datetime
) -> list[Signal]:
    """One signal per SLO for windows ending at ``end``; reads the store, writes nothing."""
    found = []
    for slo, windows in plans:
        counts = count_windows(engine, slo, end, windows_needed(slo, windows))
        found.append(evaluate(slo, windows, counts, end))
    return found


def slo_job(
    engine: Engine,
    slos: Sequence[SLOSpec],
    interval: timedelta = timedelta(minutes=1),
    catalog: Mapping[timedelta, AlertWindows] | None = None,
) -> ScheduledJob:
    """A job that, every ``interval``, evaluates ``slos`` and stores one signal per SLO.

    ``catalog`` maps SLO periods to alert windows (default: the windows shipped in
    ``slo/windows``). Raises :class:`slo.errors.UnsupportedPeriod` for a period it lacks,
    and ValueError when two SLOs of a model share a name (their signals would collide).
    ``run(now)`` returns the signals it evaluated for the window ending at ``align(now)``.
    """
    seen: set[tuple[str, str]] = set()
    for slo in slos:
        if (slo.model, slo.name) in seen:
            raise ValueError(f"SLO {slo.name!r} of model {slo.model!r} is defined twice")
        seen.add((slo.model, slo.name))
    plans = [(slo, windows_for(slo.window, catalog)) for slo in slos]

    def run(now: datetime) -> list[Signal]:
        found = evaluate_slos(engine, plans, align(now, interval))
        write_signals(engine, found, now)
        return found

    return ScheduledJob(name=JOB_NAME, interval=interval, run=run)
