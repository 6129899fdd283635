"""The store on SQLite and PostgreSQL: migrations, idempotent ingestion, signals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from store.db import current_revisions, head_revisions, table_names, upgrade
from store.job_state import load_state, save_state
from store.predictions import (
    count_labels,
    count_predictions,
    insert_labels,
    insert_predictions,
    window_features,
)
from store.records import Signal
from store.schema import metadata
from store.signals import latest_signals, signals_after, write_signals


def _prediction(i: int, t0, model: str = "credit") -> dict:
    return {
        "model": model,
        "version": "v1",
        "request_id": f"r{i}",
        "ts": t0 + timedelta(seconds=i),
        "features": {"income": 1000.0 + i, "purpose": "car"},
        "prediction": 1,
        "score": 0.7,
        "latency_ms": 12.5,
        "received_at": t0,
    }


def test_migrations_create_every_table_of_the_schema_and_are_idempotent(engine: Engine) -> None:
    assert set(metadata.tables) <= table_names(engine)
    assert current_revisions(engine) == head_revisions()
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()


def test_a_replayed_batch_is_stored_once(engine: Engine, t0) -> None:
    rows = [_prediction(i, t0) for i in range(2500)]
    assert insert_predictions(engine, rows) == 2500
    assert insert_predictions(engine, [*rows[:10], _prediction(3000, t0)]) == 1
    assert count_predictions(engine) == 2501
    assert count_predictions(engine, "credit") == 2501
    assert count_predictions(engine, "other") == 0


def test_labels_are_idempotent_on_model_and_request_id(engine: Engine, t0) -> None:
    rows = [
        {"model": "credit", "request_id": "r1", "label": 1, "ts": t0, "received_at": t0},
        {"model": "credit", "request_id": "r2", "label": 0, "ts": t0, "received_at": t0},
    ]
    assert insert_labels(engine, rows) == 2
    assert insert_labels(engine, rows) == 0
    assert count_labels(engine, "credit") == 2


def test_window_reads_only_the_half_open_interval_and_keeps_times_in_utc(
    engine: Engine, t0
) -> None:
    insert_predictions(engine, [_prediction(i, t0) for i in range(10)])
    got = window_features(engine, "credit", t0 + timedelta(seconds=2), t0 + timedelta(seconds=5))
    assert [f["income"] for f in got] == [1002.0, 1003.0, 1004.0]


def test_signals_are_unique_per_window_and_latest_is_per_subject(engine: Engine, t0) -> None:
    def sig(subject: str, end_min: int, value: float) -> Signal:
        return Signal(
            detector="drift",
            model="credit",
            subject=subject,
            metric="wasserstein_normed",
            window_start=t0,
            window_end=t0 + timedelta(minutes=end_min),
            value=value,
            threshold=0.1,
            status="breach" if value >= 0.1 else "ok",
            sample_size=500,
            details={"method": "wasserstein"},
        )

    assert write_signals(engine, [sig("income", 5, 0.01), sig("age", 5, 0.2)], t0) == 2
    assert write_signals(engine, [sig("income", 5, 0.5)], t0) == 0
    assert write_signals(engine, [sig("income", 10, 0.3)], t0) == 1
    latest = {s.signal.subject: s.signal for s in latest_signals(engine, "credit")}
    assert latest["income"].value == 0.3 and latest["income"].status == "breach"
    assert latest["age"].window_end == t0 + timedelta(minutes=5)
    assert latest["age"].window_end.tzinfo is not None
    after = signals_after(engine, 0)
    assert [s.signal.subject for s in after] == ["income", "age", "income"]
    assert signals_after(engine, after[-1].id) == []


def test_job_state_round_trips(engine: Engine, t0) -> None:
    assert load_state(engine, "rules") is None
    save_state(engine, "rules", {"cursor": 3}, t0)
    save_state(engine, "rules", {"cursor": 7}, t0)
    assert load_state(engine, "rules") == {"cursor": 7}


def test_postgresql_urls_get_the_psycopg_driver_and_a_connect_timeout() -> None:
    from store.db import PG_CONNECT_TIMEOUT_S, create_store_engine

    plain = create_store_engine("postgresql://postgres@127.0.0.1:5432/test")
    assert plain.url.drivername == "postgresql+psycopg"
    assert plain.url.query["connect_timeout"] == str(PG_CONNECT_TIMEOUT_S)
    chosen = create_store_engine("postgresql+psycopg://postgres@127.0.0.1/test?connect_timeout=1")
    assert chosen.url.query["connect_timeout"] == "1"
    plain.dispose()
    chosen.dispose()


def test_migrations_end_in_a_single_head() -> None:
    """Parallel work adds branches; a merge revision must join them before they land."""
    assert len(head_revisions()) == 1
