"""Span SLIs: availability and latency counted from the OTLP ``spans`` of a service.

An SLI with ``source: spans`` counts the spans of its ``service`` (and ``operation``, when
given) that started in the window; ``store.spans`` decides which are good (status ``ok``,
and for latency at most ``threshold_ms``). Without ``operation``, the counts of every
operation of the service are added up.

As for predictions (:mod:`slo.sli`), all windows end at the same instant and are nested:
the time from the longest window's start to the end splits into segments between
consecutive window starts, each span is counted in exactly one segment, and a window's
counts are the sums of the segments inside it. ``store.spans`` counts one range per
statement, so this is one query per segment (one per distinct window, about eight).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.sli import EventCounts
from store.spans import span_sli_counts


def _segment(engine: Engine, slo: SLOSpec, start: datetime, end: datetime) -> EventCounts:
    sli = slo.sli
    found = span_sli_counts(
        engine,
        start,
        end,
        latency_ms=sli.threshold_ms if sli.kind == "latency" else None,
        service=sli.service,
        operation=sli.operation,
    )
    return EventCounts(good=sum(c.good for c in found), total=sum(c.total for c in found))


def count_span_windows(
    engine: Engine, slo: SLOSpec, end: datetime, spans: Iterable[timedelta]
) -> dict[timedelta, EventCounts]:
    """For each duration ``d``, the SLO's spans that started in ``[end - d, end)``."""
    sli = slo.sli
    if sli.source != "spans" or sli.service is None:
        raise ValueError(f"SLO {slo.name!r} does not read spans")
    wanted = sorted(set(spans))
    if not wanted or wanted[0] <= timedelta(0):
        raise ValueError("need at least one window, and every window must be positive")
    counts: dict[timedelta, EventCounts] = {}
    good = total = 0
    later = end
    for span in wanted:
        segment = _segment(engine, slo, end - span, later)
        good, total = good + segment.good, total + segment.total
        counts[span] = EventCounts(good=good, total=total)
        later = end - span
    return counts
