"""SLO counts from per-minute rollups equal the raw-row counts, on SQLite and PostgreSQL.

Random traffic (sub-minute timestamps, errors, missing latencies, latencies on the threshold)
arrives tick by tick, some of it late but within ``settle``; at every tick the rolled-up
window counts, and the job's signals (burn rates, states), must be exactly the raw ones.
Late predictions beyond ``settle`` are the documented exception.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from slo.config import SLISpec, SLOSpec
from slo.evaluate import windows_needed
from slo.jobs import slo_job
from slo.sli import EventCounts, count_model_windows
from slo.sli_rollup import SLIRollups, count_rolled_windows
from store.predictions import insert_predictions
from store.schema import sli_hours, sli_minutes, sli_rollup_marks
from store.sli_rollups import floor_to

MIN = timedelta(minutes=1)
DAY = timedelta(days=1)


def _slo(model: str, sli: SLISpec, name: str, **extra: Any) -> SLOSpec:
    return SLOSpec(
        name=name, model=model, sli=sli, objective=99.0, window=timedelta(days=30), **extra
    )


SLOS = [
    _slo("credit", SLISpec(kind="availability"), "credit-availability", calendar="month"),
    _slo("credit", SLISpec(kind="latency", threshold_ms=100), "credit-p100"),
    _slo("credit", SLISpec(kind="latency", threshold_ms=250.5), "credit-p250"),
    _slo("fraud", SLISpec(kind="availability"), "fraud-availability"),
]
SPANS = sorted({s for slo in SLOS for s in windows_needed(slo, slo.windows())})


def _rows(rng: random.Random, prediction_row, start: datetime, end: datetime, n: int) -> list:
    """``n`` random predictions with ``start <= ts < end`` for the two models."""
    rows = []
    seconds = (end - start).total_seconds()
    for _ in range(n):
        ts = start + timedelta(seconds=rng.uniform(0, seconds))
        latency = rng.choice([None, 100.0, 250.5, rng.uniform(1, 400)])
        error = "timeout" if rng.random() < 0.05 else None
        rows.append(
            prediction_row(rng.choice(["credit", "fraud"]), ts, error=error, latency_ms=latency)
        )
    return rows


def _compare(engine: Engine, end: datetime) -> None:
    for model in ("credit", "fraud"):
        slis = [slo.sli for slo in SLOS if slo.model == model]
        rolled = count_rolled_windows(engine, model, slis, end, SPANS)
        raw = count_model_windows(engine, model, slis, end, SPANS)
        assert rolled == raw, (model, end)


def _signals(found: object) -> list[dict[str, Any]]:
    assert isinstance(found, list)
    return [asdict(signal) for signal in found]


@pytest.mark.parametrize("seed", [1, 2])
def test_rolled_counts_and_signals_equal_raw_ones_on_random_traffic(
    engine: Engine, t0: datetime, prediction_row, seed: int
) -> None:
    rng = random.Random(seed)
    # Four days of history, so hour rows, minute edges and raw edges all take part.
    history = t0 - 4 * DAY
    insert_predictions(engine, _rows(rng, prediction_row, history, t0, 1500))
    rolled_job = slo_job(engine, SLOS, interval=MIN)
    raw_job = slo_job(engine, SLOS, interval=MIN, rollups=False)
    now = t0
    for _ in range(12):
        # Some minutes pass; events arrive for them, and some late ones up to 9 minutes old.
        step = rng.choice([1, 2, 7, 45, 61]) * MIN
        fresh = _rows(rng, prediction_row, now, now + step, rng.randint(0, 60))
        late = _rows(rng, prediction_row, now - 9 * MIN, now, rng.randint(0, 10))
        insert_predictions(engine, fresh + late)
        now += step
        # The window end is on the minute for the job; arbitrary ends read part minutes raw.
        rolled = _signals(rolled_job.run(now))
        assert rolled == _signals(raw_job.run(now))
        _compare(engine, now)
        _compare(engine, now - timedelta(seconds=rng.uniform(0, 3600)))


def test_a_late_prediction_counts_within_settle_and_not_after(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    slo = SLOS[3]
    assert slo.settle == 10 * MIN  # the default
    rollups = SLIRollups([slo])
    insert_predictions(engine, [prediction_row("fraud", t0 - 30 * MIN)])

    def counts(end: datetime) -> tuple[EventCounts, EventCounts]:
        rollups.roll(engine, end, end)
        [rolled] = count_rolled_windows(engine, "fraud", [slo.sli], end, [DAY])
        [raw] = count_model_windows(engine, "fraud", [slo.sli], end, [DAY])
        return rolled[DAY], raw[DAY]

    assert counts(t0) == (EventCounts(1, 1), EventCounts(1, 1))
    # Its minute (t0 - 10m) is not settled until a tick ends more than 10m after its start.
    insert_predictions(engine, [prediction_row("fraud", t0 - 10 * MIN, error="late")])
    assert counts(t0 + MIN) == (EventCounts(1, 2), EventCounts(1, 2))
    # Too late: the tick at t0 + 1m settled the minute t0 - 10m.
    insert_predictions(engine, [prediction_row("fraud", t0 - 10 * MIN, error="too late")])
    rolled, raw = counts(t0 + 2 * MIN)
    assert raw == EventCounts(1, 3)
    assert rolled == EventCounts(1, 2)
    # A prediction older than everything rolled up is read from raw rows: still counted.
    insert_predictions(engine, [prediction_row("fraud", t0 - 40 * MIN)])
    rolled, raw = counts(t0 + 3 * MIN)
    assert raw == EventCounts(2, 4)
    assert rolled == EventCounts(2, 3)


def test_settle_zero_still_counts_each_minute_once_it_ends(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    slo = SLOS[3].model_copy(update={"settle": timedelta(0)})
    rollups = SLIRollups([slo])
    insert_predictions(engine, [prediction_row("fraud", t0 - 5 * MIN)])
    rollups.roll(engine, t0, t0)
    insert_predictions(engine, [prediction_row("fraud", t0 + 30 * timedelta(seconds=1))])
    end = t0 + 2 * MIN
    rollups.roll(engine, end, end)
    [rolled] = count_rolled_windows(engine, "fraud", [slo.sli], end, [DAY])
    assert rolled[DAY] == EventCounts(2, 2)


def _stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = []
        for table in (sli_minutes, sli_hours):
            query = select(table.c.model, table.c.sli, table.c.start, table.c.good, table.c.total)
            rows += sorted(conn.execute(query).all())
        marks = select(
            sli_rollup_marks.c.model,
            sli_rollup_marks.c.sli,
            sli_rollup_marks.c.rolled_from,
            sli_rollup_marks.c.rolled_to,
        )
        return rows + sorted(conn.execute(marks).all())


def test_rolling_is_idempotent_across_replicas(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    rng = random.Random(3)
    insert_predictions(engine, _rows(rng, prediction_row, t0 - timedelta(hours=3), t0, 300))
    first = SLIRollups(SLOS)
    first.roll(engine, t0, t0)
    once = _stored(engine)
    assert once, "something was rolled up"
    # The same tick again, on "another replica": the same rows, nothing added.
    SLIRollups(SLOS).roll(engine, t0, t0 + timedelta(seconds=5))
    first.roll(engine, t0, t0 + timedelta(seconds=9))
    assert _stored(engine) == once
    with engine.connect() as conn:
        minutes = conn.execute(select(func.sum(sli_minutes.c.total))).scalar()
        hours = conn.execute(select(func.sum(sli_hours.c.total))).scalar()
    assert minutes == hours  # hours are the sums of their minutes


def test_a_new_threshold_backfills_its_history(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    rng = random.Random(4)
    insert_predictions(engine, _rows(rng, prediction_row, t0 - 2 * DAY, t0, 400))
    SLIRollups(SLOS[:2]).roll(engine, t0, t0)
    added = _slo("credit", SLISpec(kind="latency", threshold_ms=42), "credit-p42")
    end = t0 + 3 * MIN
    SLIRollups([*SLOS[:2], added]).roll(engine, end, end)
    slis = [SLOS[0].sli, SLOS[1].sli, added.sli]
    assert count_rolled_windows(engine, "credit", slis, end, SPANS) == count_model_windows(
        engine, "credit", slis, end, SPANS
    )
    with engine.connect() as conn:
        start = conn.execute(
            select(sli_rollup_marks.c.rolled_from).where(
                sli_rollup_marks.c.sli == "latency_ms<=42.0"
            )
        ).scalar()
    with engine.connect() as conn:
        first = conn.execute(
            select(func.min(sli_minutes.c.start)).where(sli_minutes.c.model == "credit")
        ).scalar()
    assert start is not None
    assert start == first == floor_to(start, MIN)


@pytest.mark.parametrize("settle", ["30s", "90s"])
def test_settle_must_be_whole_minutes(settle: str) -> None:
    with pytest.raises(ValidationError, match="settle must be a whole number of minutes"):
        SLOSpec.model_validate(
            {"name": "a", "model": "m", "sli": {"kind": "availability"}, "objective": 99,
             "settle": settle}
        )  # fmt: skip
    assert SLOSpec.model_validate(
        {"name": "a", "model": "m", "sli": {"kind": "availability"}, "objective": 99,
         "settle": "30m"}
    ).settle == timedelta(minutes=30)  # fmt: skip


def test_a_series_shared_by_slos_settles_over_the_longest(t0: datetime) -> None:
    short = SLOS[0].model_copy(update={"settle": timedelta(minutes=5)})
    long = _slo("credit", SLISpec(kind="availability"), "other").model_copy(
        update={"settle": timedelta(minutes=30)}
    )
    rollups = SLIRollups([short, long])
    assert list(rollups.settle.values()) == [timedelta(minutes=30)]


def test_history_beyond_the_longest_window_is_left_to_raw_rows(
    engine: Engine, t0: datetime, prediction_row
) -> None:
    rng = random.Random(5)
    insert_predictions(engine, _rows(rng, prediction_row, t0 - 10 * DAY, t0, 600))
    weekly = _slo("credit", SLISpec(kind="availability"), "credit-7d").model_copy(
        update={"window": timedelta(days=7)}
    )
    SLIRollups([weekly]).roll(engine, t0, t0)
    with engine.connect() as conn:
        start = conn.execute(select(sli_rollup_marks.c.rolled_from)).scalar()
    assert start == t0 - 7 * DAY
    # A window reaching past the rolled-up range reads the older minutes from raw rows.
    spans = [MIN, DAY, 9 * DAY, 30 * DAY]
    slis = [weekly.sli]
    assert count_rolled_windows(engine, "credit", slis, t0, spans) == count_model_windows(
        engine, "credit", slis, t0, spans
    )
