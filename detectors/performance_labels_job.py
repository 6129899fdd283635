"""The labels job: count labels still waiting for their prediction; orphan the overdue ones.

Labels for an unknown request id are kept (the prediction may come later, and the join in
:mod:`store.labelled` then picks them up); this job makes them visible and bounds the wait.
Each run, per model that has any:

- signal ``labels/unmatched``: labels with no prediction yet (value), the oldest one's
  arrival time and the grace period in the details; gauge ``vigil_labels_unmatched``;
- signal ``labels/orphaned``: labels moved to ``orphaned_labels`` by this run for having
  waited longer than ``grace_period`` (value), and the model's total so far; counter
  ``vigil_labels_orphaned_total``. It breaches when the run orphaned more than
  ``max_orphaned`` (when set): a label feed keyed on the wrong ids looks like this.

Signals cover ``[end - interval, end)`` with ``end`` = ``now`` aligned to the interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import Engine

from detectors.performance_config import LabelsConfig
from store.durations import align
from store.label_orphans import expire_unmatched, orphaned_totals, unmatched_labels
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec

JOB_NAME = "labels"
DETECTOR = "labels"


class LabelMetrics:
    """The job's Prometheus metrics, on the registry passed in."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.unmatched = Gauge(
            "vigil_labels_unmatched",
            "Labels whose prediction has not arrived (yet), by model.",
            ["model"],
            registry=registry,
        )
        self.orphaned = Counter(
            "vigil_labels_orphaned",
            "Labels orphaned: no prediction arrived within the grace period, by model.",
            ["model"],
            registry=registry,
        )


class LabelsRunner:
    """One tick of the labels job."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: LabelsConfig,
        metrics: LabelMetrics | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._metrics = metrics
        self.models = tuple(spec.name for spec in models)

    def __call__(self, now: datetime) -> list[Signal]:
        """Orphan the overdue labels, count the waiting ones, store both as signals."""
        c = self._config
        end = align(now, c.interval)
        start = end - c.interval
        orphaned = expire_unmatched(self._engine, now - c.grace_period, now)
        waiting = unmatched_labels(self._engine)
        totals = orphaned_totals(self._engine)
        found: list[Signal] = []
        for model in sorted(set(self.models) | set(waiting) | set(orphaned)):
            pending = waiting.get(model)
            count = 0 if pending is None else pending.count
            oldest = None if pending is None or pending.oldest_received_at is None else (
                pending.oldest_received_at.isoformat()
            )  # fmt: skip
            moved = orphaned.get(model, 0)
            breach = c.max_orphaned is not None and moved > c.max_orphaned
            found += [
                Signal(DETECTOR, model, "unmatched", "unmatched_labels", start, end, float(count),
                       None, "ok", count,
                       {"oldest_received_at": oldest, "grace_period": str(c.grace_period)}),
                Signal(DETECTOR, model, "orphaned", "orphaned_labels", start, end, float(moved),
                       None if c.max_orphaned is None else float(c.max_orphaned),
                       "breach" if breach else "ok", moved,
                       {"total": totals.get(model, 0), "grace_period": str(c.grace_period)}),
            ]  # fmt: skip
            if self._metrics is not None:
                self._metrics.unmatched.labels(model).set(count)
                self._metrics.orphaned.labels(model).inc(moved)
        write_signals(self._engine, found, now)
        return found


def labels_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: LabelsConfig,
    registry: CollectorRegistry | None = None,
) -> ScheduledJob:
    """The labels job: every ``config.interval``, waiting labels counted, overdue orphaned."""
    metrics = None if registry is None else LabelMetrics(registry)
    return ScheduledJob(
        name=JOB_NAME, interval=config.interval, run=LabelsRunner(engine, models, config, metrics)
    )
