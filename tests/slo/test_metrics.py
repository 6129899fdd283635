"""Vigil's SLO counters: created at zero, fed once per interval by the job, read by the rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from slo.config import SLOSpec
from slo.jobs import slo_job
from slo.metrics import EVENTS, GOOD_EVENTS, SLOMetrics, record_counts, sli_queries
from slo.sli import EventCounts
from slo.sli_config import SLISpec
from store.predictions import insert_predictions

MIN = timedelta(minutes=1)
SLO = SLOSpec(
    name="credit-availability",
    model="credit",
    sli=SLISpec(kind="availability"),
    objective=99.9,
    window=timedelta(days=30),
)


def _value(registry: CollectorRegistry, name: str) -> float | None:
    return registry.get_sample_value(name, {"model": "credit", "slo": "credit-availability"})


def _counters(registry: CollectorRegistry) -> tuple[float | None, float | None]:
    return _value(registry, EVENTS), _value(registry, GOOD_EVENTS)


def test_registered_slos_start_at_zero_and_only_grow() -> None:
    registry = CollectorRegistry()
    metrics = SLOMetrics(registry)
    metrics.register("credit", "credit-availability")
    assert _counters(registry) == (0.0, 0.0)

    record_counts(metrics, "credit", "credit-availability", EventCounts(good=7, total=10))
    record_counts(metrics, "credit", "credit-availability", EventCounts(good=3, total=3))

    assert _counters(registry) == (13.0, 10.0)
    with pytest.raises(ValueError, match="good <= total"):
        record_counts(metrics, "credit", "credit-availability", EventCounts(good=2, total=1))


def test_the_rules_read_the_counters_by_model_and_slo() -> None:
    sli = sli_queries("credit", "credit-availability")
    selector = '{model="credit", slo="credit-availability"}'
    assert sli.total_query == f"sum(rate(vigil_slo_events_total{selector}[{{{{.window}}}}]))"
    assert sli.error_query == (
        f"(sum(rate(vigil_slo_events_total{selector}[{{{{.window}}}}]))"
        f" - sum(rate(vigil_slo_good_events_total{selector}[{{{{.window}}}}])))"
    )


def test_the_job_adds_each_intervals_events_once(
    sqlite_engine: Engine, t0: datetime, prediction_row
) -> None:
    rows = [
        prediction_row("credit", t0 + i * MIN + timedelta(seconds=s), error="x" if s else None)
        for i in range(-5, 5)
        for s in (0, 30)
    ]
    insert_predictions(sqlite_engine, rows)
    registry = CollectorRegistry()
    job = slo_job(sqlite_engine, [SLO], interval=MIN, metrics=SLOMetrics(registry))
    assert _counters(registry) == (0.0, 0.0)

    first = job.run(t0)  # counts [t0 - 1m, t0): 2 events, 1 good
    assert _counters(registry) == (2.0, 1.0)
    job.run(t0 + timedelta(seconds=30))  # the same interval again: nothing new
    assert _counters(registry) == (2.0, 1.0)
    job.run(t0 + 3 * MIN)  # two ticks were missed: [t0, t0 + 3m) is counted at once
    assert _counters(registry) == (8.0, 4.0)

    # The extra interval read for the counters does not show in the signal.
    assert "1m" not in first[0].details["burn_rates"]
