"""The in-process part of the ingestion benchmark: each stage of the collector timed alone.

The API's validation (validate, redact, prepare), the spool append (encode + write +
fsync), the batch writer draining a pre-filled spool into SQLite and PostgreSQL (with and
without the profiler), and SQLite's own ceiling for the same prepared rows with no Vigil
code, with the bench's sequential request ids and with random ones. Called by
``bench_ingest.py`` (one pass each).
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load import event
from prometheus_client import CollectorRegistry

from collector.batches import Batch, encode
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.prepared_events import prepared_predictions
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.redaction import Redactor
from collector.spool import Spool
from collector.validation import Limits
from collector.writer import BatchProcessor
from store.db import SQLITE_CACHE_KIB, SQLITE_CHECKPOINT_PAGES, create_store_engine, upgrade
from store.predictions import PREDICTION_COLUMNS, REQUEST_ID, count_predictions
from store.specs import FeatureSpec, ModelSpec

BATCH = 500
MODEL = ModelSpec(
    name="bench", features=tuple(FeatureSpec(name=f"f{i}", type="numeric") for i in range(20))
)


def now() -> datetime:
    return datetime.now(UTC)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _spooled(tmp: Path, rows: int, label: str) -> tuple[Spool, float, float, list[Any]]:
    """A spool pre-filled with ``rows`` events, as the API fills it: validated, redacted and
    prepared (``collector.prepared_events``), then encoded and appended (write + fsync),
    the two timed apart. Also returns the prepared rows, for the bare SQLite ceiling."""
    spool = Spool(tmp / f"inproc-spool-{label}", 16 * 1024 * 1024)
    redactor = Redactor([MODEL], None)
    validating = appending = 0.0
    prepared: list[Any] = []
    for start in range(0, rows, BATCH):
        events = [event(i, f"inproc-{label}") for i in range(start, start + BATCH)]
        t0 = time.perf_counter()
        valid, errors = prepared_predictions(events, {"bench": MODEL}, now(), Limits(), redactor)
        t1 = time.perf_counter()
        spool.append(encode(Batch("predictions", valid, now())))
        validating, appending = validating + t1 - t0, appending + time.perf_counter() - t1
        assert not errors, errors[:1]
        prepared.extend(valid)
    return spool, validating, appending, prepared


def sqlite_bare(path: Path, rows: list[Any], indexed: bool) -> float:
    """Seconds SQLite itself takes to insert ``rows`` in 5,000-row transactions, with no
    Vigil code: ``sqlite3``'s ``executemany`` of the prepared tuples. ``indexed``: into the
    store's own ``predictions`` table (made by the migrations, both indexes, WAL, the
    store's pragmas); otherwise into an in-memory table of the same columns and no index,
    the most one row per event can go through Python's ``sqlite3`` here."""
    columns = ", ".join(PREDICTION_COLUMNS)
    if indexed:
        engine = create_store_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        conn.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
        conflict = " ON CONFLICT (model, request_id) DO NOTHING"
    else:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.execute(f"CREATE TABLE predictions (id INTEGER PRIMARY KEY, {columns})")
        conflict = ""
    statement = (
        f"INSERT INTO predictions ({columns}) VALUES ({', '.join('?' * len(PREDICTION_COLUMNS))})"
        + conflict
    )
    t0 = time.perf_counter()
    for start in range(0, len(rows), 5000):
        conn.execute("BEGIN")
        conn.executemany(statement, rows[start : start + 5000])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    (stored,) = conn.execute("SELECT count(*) FROM predictions").fetchone()
    conn.close()
    assert stored == len(rows), f"stored {stored} of {len(rows)}"
    return elapsed


def with_random_ids(rows: list[Any]) -> list[tuple[Any, ...]]:
    """``rows`` with random request ids (``uuid4``, as many model servers make them): the
    unique (model, request_id) index then takes each row at a random place rather than
    next to the previous one."""
    out = []
    for row in rows:
        values = list(row)
        values[REQUEST_ID] = uuid.uuid4().hex
        out.append(tuple(values))
    return out


def _drain(spool: Spool, engine: Any, rows: int, profiles: bool = False) -> float:
    """Seconds the batch writer takes to move the whole spool into ``engine`` (and to
    profile it, with ``profiles``, as ``vigil serve``'s writer does)."""
    metrics = CollectorMetrics(CollectorRegistry())
    profiler = Profiler(engine, [MODEL], ProfilesConfig(), now) if profiles else None
    processor = BatchProcessor(
        spool,
        StoreExporter(engine, metrics, profiler=profiler),
        metrics,
        now,
        max_batch_rows=5000,
        delay=0,
    )
    t0 = time.perf_counter()
    processor.start()
    drained = processor.force_flush(timeout=120)
    writing = time.perf_counter() - t0
    processor.shutdown(timeout=5)
    assert drained, "the writer did not drain within 120 s"
    assert profiler is None or profiler.failures == 0, "profiling failed"
    stored = count_predictions(engine, "bench")
    assert stored == rows, f"stored {stored} of {rows}"
    return writing


def in_process(tmp: Path, rows: int, postgres_url: str | None) -> dict[str, Any]:
    """Validation, spool append and the writer's drain into each store, each timed alone."""
    result: dict[str, Any] = {"load_before": load_average()}
    spool, validating, appending, prepared = _spooled(tmp, rows, "sqlite")
    result["validate_prepare_per_s"] = rows / validating
    result["spool_append_per_s"] = rows / appending
    result["sqlite_bare_per_s"] = rows / sqlite_bare(tmp / "bare.db", prepared, indexed=True)
    result["sqlite_bare_memory_no_index_per_s"] = rows / sqlite_bare(
        tmp / "unused", prepared, indexed=False
    )
    result["sqlite_bare_random_ids_per_s"] = rows / sqlite_bare(
        tmp / "bare-random.db", with_random_ids(prepared), indexed=True
    )
    del prepared
    engine = create_store_engine(f"sqlite:///{tmp / 'inproc.db'}")
    upgrade(engine)
    result["writer_sqlite_per_s"] = rows / _drain(spool, engine, rows)
    engine.dispose()
    spool, _, _, _ = _spooled(tmp, rows, "sqlite-profiled")
    engine = create_store_engine(f"sqlite:///{tmp / 'inproc-profiled.db'}")
    upgrade(engine)
    result["writer_sqlite_profiled_per_s"] = rows / _drain(spool, engine, rows, profiles=True)
    engine.dispose()
    if postgres_url is not None:
        spool, _, _, _ = _spooled(tmp, rows, "postgresql")
        engine = create_store_engine(postgres_url)
        upgrade(engine)
        result["writer_postgresql_per_s"] = rows / _drain(spool, engine, rows)
        engine.dispose()
    result["load_after"] = load_average()
    return result
