"""The series Vigil exposes for its SLOs, so that exported Prometheus rules read real data.

Two counters, labelled by ``model`` and ``slo``:

- ``vigil_slo_events_total``: events the SLO's SLI counted (predictions, or spans with
  ``source: spans``, for availability and latency SLIs; detector windows with a computable
  signal for quality SLIs; minutes since the pipeline's first report for freshness SLIs);
- ``vigil_slo_good_events_total``: those of them that were good.

The SLO job adds, at each tick, the events of the interval since its previous tick (see
:func:`slo.jobs.slo_job`), so ``rate()`` over these counters is the SLI's event rate (for
freshness: one event a minute, so the ratio of the two rates is the share of fresh minutes).
Both series of an SLO are created at zero when it is registered, so an idle model reads as a
zero rate (and Sloth's rules as ``NaN``, "no data"), never as a missing series.

The registry is passed in, never the global one: every test builds its own.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from slo.promql import label_filter
from slo.promspec import EventsSLI
from slo.sli import EventCounts

EVENTS = "vigil_slo_events_total"
GOOD_EVENTS = "vigil_slo_good_events_total"
LABELS = ("model", "slo")


class SLOMetrics:
    """The two counters on ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            EVENTS.removesuffix("_total"),
            "Events counted by an SLO's SLI (predictions, spans, detector windows, minutes).",
            LABELS,
            registry=registry,
        )
        self.good = Counter(
            GOOD_EVENTS.removesuffix("_total"),
            "Events counted by an SLO's SLI that were good.",
            LABELS,
            registry=registry,
        )

    def register(self, model: str, slo: str) -> None:
        """Create the SLO's series at zero."""
        self.events.labels(model=model, slo=slo)
        self.good.labels(model=model, slo=slo)


def record_counts(metrics: SLOMetrics, model: str, slo: str, counts: EventCounts) -> None:
    """Add newly counted events to the SLO's counters; counts never go down."""
    if counts.total < 0 or not 0 <= counts.good <= counts.total:
        raise ValueError(f"need 0 <= good <= total, got {counts}")
    metrics.events.labels(model=model, slo=slo).inc(counts.total)
    metrics.good.labels(model=model, slo=slo).inc(counts.good)


def sli_queries(model: str, slo: str) -> EventsSLI:
    """Sloth's events SLI over the counters: bad = all - good, over ``{{.window}}``."""
    selector = label_filter({"model": model, "slo": slo})
    total = f"sum(rate({EVENTS}{selector}[{{{{.window}}}}]))"
    good = f"sum(rate({GOOD_EVENTS}{selector}[{{{{.window}}}}]))"
    return EventsSLI(error_query=f"({total} - {good})", total_query=total)
