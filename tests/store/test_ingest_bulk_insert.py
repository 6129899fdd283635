"""The bulk insert of predictions stores what SQLAlchemy's row-by-row insert stored.

``insert_predictions`` bypasses SQLAlchemy's per-row processing (``executemany`` on SQLite,
``COPY`` through a staging table on PostgreSQL), so these tests pin what must not change:
values read back equal through the ORM types, SQLite's time text identical to
SQLAlchemy's (range queries compare it as text), a key left out stays SQL NULL while a
``None`` given is JSON ``null``, and duplicates, within a batch or across retries, count
once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import OperationalError

from store.dml import insert_ignoring_conflicts
from store.errors import StoreUnavailable
from store.predictions import (
    REQUEST_ID,
    count_predictions,
    insert_predictions,
    insert_prepared_predictions,
    prepare_predictions,
    window_features,
)
from store.schema import predictions


def row(i: int, t0: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "model": "credit",
        "version": "v1",
        "request_id": f"r{i}",
        "ts": t0 + timedelta(milliseconds=i),
        "features": {"income": 1000.5 + i, "purpose": "car", "emb": [0.1, 0.2]},
        "prediction": 1,
        "score": 0.75,
        "latency_ms": 12.5,
        "error": None,
        "received_at": t0,
        "variant": None,
        "experiment": None,
        "segment": None,
        "trace_id": None,
        **extra,
    }


def stored(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        result = conn.execute(select(predictions).order_by(predictions.c.id))
        return [dict(r._mapping) for r in result]


def test_values_read_back_equal_through_the_store_types(engine: Engine, t0: datetime) -> None:
    pg = engine.dialect.name == "postgresql"  # 10**30 is beyond orjson's 64-bit integers
    rows = [
        row(0, t0),
        row(
            1,
            t0,
            prediction=["offer-a", "offer-b"],
            segment={"region": "eu", "tier": "gold"},
            variant="b",
            experiment="exp-1",
            error="timeout",
            trace_id="0af7651916cd43dd8448eb211c80319c",
            features={"note": 'quotes " and \\ backslashes\ttabs\nnewlines', "naïve": "日本"},
        ),
        row(2, t0, prediction=10**30 if pg else 10**15, score=None, latency_ms=None),
        row(3, t0, ts=datetime(2026, 3, 2, 10, 0, 0, 5, tzinfo=timezone(timedelta(hours=1)))),
    ]
    assert insert_predictions(engine, rows) == 4
    got = stored(engine)
    for want, have in zip(rows, got, strict=True):
        for key, value in want.items():
            if key == "ts":
                assert have[key] == value and have[key].tzinfo is not None
            else:
                assert have[key] == value, key
    if engine.dialect.name == "postgresql":
        assert isinstance(got[2]["prediction"], int)  # written by the standard library
    # (SQLite gives a JSON column NUMERIC affinity: it keeps a number-looking text as a
    # number, so 10**30 reads back as a float there, as it did through SQLAlchemy's insert.)
    assert got[3]["ts"] == datetime(2026, 3, 2, 9, 0, 0, 5, tzinfo=UTC)


def test_a_left_out_json_key_is_sql_null_and_a_given_none_is_json_null(
    engine: Engine, t0: datetime
) -> None:
    given = row(0, t0)
    left_out = {k: v for k, v in row(1, t0).items() if k not in ("prediction", "segment")}
    insert_predictions(engine, [given, left_out])
    with engine.connect() as conn:
        sql = "SELECT prediction IS NULL, segment IS NULL FROM predictions ORDER BY id"
        flags = [tuple(bool(v) for v in r) for r in conn.execute(text(sql))]
    assert flags == [(False, False), (True, True)]


def test_sqlite_time_text_is_the_text_sqlalchemy_writes(tmp_path, t0: datetime) -> None:
    from store.db import create_store_engine, upgrade

    engine = create_store_engine(f"sqlite:///{tmp_path / 'v.db'}")
    upgrade(engine)
    times = [
        t0,
        t0 + timedelta(microseconds=7),
        t0.astimezone(timezone(timedelta(hours=-5))),
        datetime(5, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year of one digit: still four
    ]
    with engine.begin() as conn:  # the reference: SQLAlchemy's own insert and bind processing
        reference = [row(100 + i, t0, ts=ts, received_at=ts) for i, ts in enumerate(times)]
        insert_ignoring_conflicts(conn, predictions, reference, ["model", "request_id"])
    insert_predictions(
        engine, [row(200 + i, t0, ts=ts, received_at=ts) for i, ts in enumerate(times)]
    )
    with engine.connect() as conn:
        texts = conn.execute(
            text("SELECT request_id, ts, received_at FROM predictions ORDER BY id")
        ).all()
    by_id = {r[0]: (r[1], r[2]) for r in texts}
    for i in range(len(times)):
        assert by_id[f"r{200 + i}"] == by_id[f"r{100 + i}"]
    assert by_id["r200"][0] == "2026-03-02 09:00:00.000000"
    engine.dispose()


def test_duplicates_in_a_batch_and_across_retries_are_stored_once(
    engine: Engine, t0: datetime
) -> None:
    first = [row(i, t0) for i in range(300)]
    twice = [*first[:50], row(0, t0, score=0.1)]  # r0 repeated within the batch too
    assert insert_predictions(engine, [*first, row(0, t0, score=0.1)]) == 300
    assert insert_predictions(engine, twice) == 0
    assert insert_predictions(engine, [*twice, row(300, t0)]) == 1
    assert count_predictions(engine) == 301
    kept = {r["request_id"]: r["score"] for r in stored(engine)}
    assert kept["r0"] == 0.75  # the first of a repeated id wins


def test_then_sees_in_the_same_transaction_only_the_rows_that_went_in(
    engine: Engine, t0: datetime
) -> None:
    seen: list[list[str]] = []

    def then(conn: Connection, fresh: list[Any]) -> None:
        seen.append([r[REQUEST_ID] for r in fresh])
        # the rows are already there, in this transaction
        (n,) = conn.execute(text("SELECT count(*) FROM predictions")).one()
        assert n == count_before + len(fresh)

    count_before = 0
    first = prepare_predictions([row(i, t0) for i in range(5)])
    assert insert_prepared_predictions(engine, first, then=then) == 5
    count_before = 5
    again = prepare_predictions(
        [row(3, t0), row(5, t0), row(5, t0, score=0.1), row(0, t0), row(6, t0)]
    )
    assert insert_prepared_predictions(engine, again, then=then) == 2
    assert insert_prepared_predictions(engine, first, then=then) == 0  # a replay
    assert seen == [["r0", "r1", "r2", "r3", "r4"], ["r5", "r6"]]  # not called for none
    assert {r["request_id"]: r["score"] for r in stored(engine)}["r5"] == 0.75


def test_what_then_wrote_rolls_back_with_the_rows(engine: Engine, t0: datetime) -> None:
    def then(conn: Connection, fresh: list[Any]) -> None:
        conn.execute(text("DELETE FROM predictions WHERE request_id = 'r0'"))
        raise OperationalError("COMMIT", {}, RuntimeError("the disk went away"))

    rows = prepare_predictions([row(i, t0) for i in range(3)])
    with pytest.raises(StoreUnavailable):
        insert_prepared_predictions(engine, rows, then=then)
    assert count_predictions(engine) == 0


def test_window_reads_of_bulk_inserted_rows_keep_the_half_open_interval(
    engine: Engine, t0: datetime
) -> None:
    insert_predictions(engine, [row(i, t0) for i in range(10)])
    got = window_features(
        engine, "credit", t0 + timedelta(milliseconds=2), t0 + timedelta(milliseconds=5)
    )
    assert [f["income"] for f in got] == [1002.5, 1003.5, 1004.5]


def test_a_naive_time_is_refused_before_anything_is_written(engine: Engine, t0: datetime) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        insert_predictions(engine, [row(0, t0), row(1, t0, ts=datetime(2026, 3, 2, 8, 0))])
    assert count_predictions(engine) == 0
    assert insert_predictions(engine, []) == 0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=st.lists(st.integers(0, 20), max_size=15),
    batch=st.lists(st.integers(0, 20), min_size=1, max_size=30),
)
def test_then_gets_the_first_row_of_each_key_not_stored_before(
    engine: Engine, t0: datetime, before: list[int], batch: list[int]
) -> None:
    model = f"m-{uuid.uuid4().hex[:10]}"  # examples share the database, not their keys
    insert_predictions(engine, [row(i, t0, model=model) for i in before])
    rows = prepare_predictions(
        [row(i, t0, model=model, score=float(n)) for n, i in enumerate(batch)]
    )
    got: list[Any] = []
    inserted = insert_prepared_predictions(engine, rows, then=lambda _c, fresh: got.extend(fresh))
    taken = {f"r{i}" for i in before}
    expected = []
    for prepared in rows:
        if prepared[REQUEST_ID] not in taken:
            taken.add(prepared[REQUEST_ID])
            expected.append(prepared)
    assert got == expected
    assert inserted == len(expected) == count_predictions(engine, model) - len(set(before))
