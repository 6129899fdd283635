"""The SLO job on a real store: an error spike pages, recovery clears it, silence is no data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from slo.config import SLISpec, SLOSpec
from slo.errors import UnsupportedPeriod
from slo.jobs import evaluate_slos, slo_job
from store.durations import align
from store.predictions import insert_predictions
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import latest_signals, signal_history

MIN = timedelta(minutes=1)


def _availability(model: str) -> SLOSpec:
    return SLOSpec(
        name=f"{model}-availability",
        model=model,
        sli=SLISpec(kind="availability"),
        objective=99.9,
        window=timedelta(days=30),
    )


CREDIT, IDLE = _availability("credit"), _availability("idle")


def _run(job: ScheduledJob, now: datetime) -> dict[str, Signal]:
    """Run one tick; the signals it evaluated, by SLO name."""
    found = job.run(now)
    assert isinstance(found, list)
    return {signal.subject: signal for signal in found}


def _traffic(prediction_row, t0: datetime, minutes: range, failing: range) -> list[dict]:
    """One prediction a minute at ``t0 + i`` minutes; those in ``failing`` carry an error."""
    return [
        prediction_row("credit", t0 + i * MIN, error="model timeout" if i in failing else None)
        for i in minutes
    ]


def test_an_error_spike_pages_and_recovery_clears_it(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    job = slo_job(engine, [CREDIT, IDLE], interval=MIN)
    spike = range(0, 10)
    insert_predictions(engine, _traffic(prediction_row, t0, range(-360, 10), spike))

    before = _run(job, t0)
    during = _run(job, t0 + 10 * MIN)
    insert_predictions(engine, _traffic(prediction_row, t0, range(10, 45), spike))
    after = _run(job, t0 + 45 * MIN)

    assert before["credit-availability"].status == "ok"

    paged = during["credit-availability"]
    assert paged.status == "breach"
    assert paged.window_end == t0 + 10 * MIN
    # 10 of the last 60 requests failed: 1/6 errors against a 0.1% budget.
    assert paged.value == pytest.approx(1000 / 6)
    assert paged.threshold == pytest.approx(14.4)
    assert paged.details["severity"] == "page"
    assert paged.details["alerts"]["page-quick"]["state"] == "firing"
    assert paged.details["alerts"]["page-slow"]["state"] == "firing"
    assert paged.details["burn_rates"]["5m"] == pytest.approx(1000.0)

    recovered = after["credit-availability"]
    assert recovered.status == "ok"
    assert recovered.details["alerts"]["page-quick"]["state"] == "ok"
    assert recovered.details["alerts"]["page-slow"]["state"] == "ok"
    # The spike still weighs on the slower windows: a ticket, not a page.
    assert recovered.details["severity"] == "ticket"
    assert recovered.details["budget_remaining"] == pytest.approx(1 - (10 / 405) / 0.001)

    stored = signal_history(engine, "credit", "slo")
    assert [s.signal.status for s in stored] == ["ok", "breach", "ok"]
    assert stored[1].signal == paged


def test_a_model_without_events_is_not_computable(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    insert_predictions(engine, _traffic(prediction_row, t0, range(-60, 0), range(0)))

    slo_job(engine, [CREDIT, IDLE], interval=MIN).run(t0)

    [idle] = latest_signals(engine, "idle", detector="slo")
    assert idle.signal.status == "not_computable"
    assert idle.signal.details["reason"] == "no data"
    assert idle.signal.value is None
    assert idle.signal.sample_size == 0
    [credit] = latest_signals(engine, "credit", detector="slo")
    assert credit.signal.status == "ok"


def test_a_rerun_within_the_same_interval_stores_nothing_new(
    sqlite_engine: Engine, t0: datetime
) -> None:
    job = slo_job(sqlite_engine, [IDLE], interval=5 * MIN)

    first = _run(job, t0 + 1 * MIN)["idle-availability"]
    again = _run(job, t0 + 4 * MIN)["idle-availability"]

    assert first.window_end == again.window_end == t0
    assert len(signal_history(sqlite_engine, "idle", "slo")) == 1
    assert job.name == "slo"
    assert job.interval == 5 * MIN


def _at(minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, 9, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "interval", "end"),
    [
        pytest.param(_at(0, 30), MIN, _at(0), id="a minute job ends windows on the minute"),
        pytest.param(_at(7), 5 * MIN, _at(5), id="a five-minute job ends them on multiples of 5"),
        pytest.param(_at(5), 5 * MIN, _at(5), id="an aligned now is kept"),
    ],
)
def test_window_ends_are_aligned_to_the_interval(
    now: datetime, interval: timedelta, end: datetime
) -> None:
    assert align(now, interval) == end


def test_jobs_refuse_what_would_fail_later(sqlite_engine: Engine) -> None:
    with pytest.raises(UnsupportedPeriod, match="no alert windows"):
        slo_job(sqlite_engine, [CREDIT], catalog={})
    with pytest.raises(ValueError, match="defined twice"):
        slo_job(sqlite_engine, [CREDIT, CREDIT])
    with pytest.raises(ValueError, match="aware"):
        align(datetime(2026, 3, 2, 9, 0), MIN)


def test_slos_of_one_model_read_together_get_the_signals_they_get_alone(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    latency = CREDIT.model_copy(
        update={"name": "credit-latency", "sli": SLISpec(kind="latency", threshold_ms=10)}
    )
    insert_predictions(engine, _traffic(prediction_row, t0, range(-90, 0), range(-20, -10)))

    together = _run(slo_job(engine, [CREDIT, latency, IDLE], interval=MIN), t0)

    for slo in (CREDIT, latency, IDLE):
        [alone] = evaluate_slos(engine, [(slo, slo.windows())], t0)
        assert together[slo.name] == alone
    assert together["credit-latency"].details["events"]["1h"] == {"good": 0, "total": 60}
