"""The label join behind realized performance, on 1M labelled predictions.

Seeds a throwaway SQLite store (and PostgreSQL with ``--postgres``) with one day of
predictions of one model and a label for each (labels through ``store.predictions
.insert_labels``, the path ``POST /v1/labels`` takes, timed too), then times
``store.labelled.labelled_window`` -- the join every performance, estimated-performance and
fairness tick runs -- for the whole day and for one hour, against what a user would write
instead: ``pandas.read_sql`` of both tables and ``merge``. Row counts are checked equal.

    python bench/performance/bench_join.py                # 1M rows on SQLite, ~2 minutes
    python bench/performance/bench_join.py --rows 100000 --postgres
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, text

from store.db import create_store_engine, upgrade
from store.labelled import labelled_window
from store.predictions import insert_labels, insert_predictions

MODEL = "bench"
DAY = datetime(2026, 3, 2, tzinfo=UTC)
BATCH = 50_000
PG_ADMIN = os.environ.get("VIGIL_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _seed(engine: Engine, rows: int) -> dict[str, float]:
    rng = np.random.default_rng(7)
    scores = rng.random(rows)
    outcomes = (rng.random(rows) < scores).astype(int)
    step = 86_400 / rows
    timings = {"predictions": 0.0, "labels": 0.0}
    for first in range(0, rows, BATCH):
        last = min(first + BATCH, rows)
        preds: list[dict[str, Any]] = [
            {
                "model": MODEL,
                "version": "1",
                "request_id": f"r{i}",
                "ts": DAY + timedelta(seconds=i * step),
                "received_at": DAY,
                "features": {"age_band": ("18-29", "30-49", "50-64", "65+")[i % 4]},
                "prediction": int(scores[i] >= 0.5),
                "score": float(scores[i]),
                "segment": {"region": f"r{i % 20}"},
            }
            for i in range(first, last)
        ]
        labels = [
            {
                "model": MODEL,
                "request_id": f"r{i}",
                "label": int(outcomes[i]),
                "ts": DAY + timedelta(days=2),
                "received_at": DAY + timedelta(days=2),
            }
            for i in range(first, last)
        ]
        started = time.perf_counter()
        insert_predictions(engine, preds)
        timings["predictions"] += time.perf_counter() - started
        started = time.perf_counter()
        insert_labels(engine, labels)
        timings["labels"] += time.perf_counter() - started
    return timings


def _best(work: Callable[[], int], repeat: int) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        found = work()
        times.append(time.perf_counter() - started)
    return min(times), found


def _pandas_join(engine: Engine, start: datetime, end: datetime) -> int:
    import pandas as pd

    query = text(
        "SELECT request_id, prediction, score, variant, segment FROM predictions "
        "WHERE model = :m AND ts >= :s AND ts < :e"
    )
    params = {"m": MODEL, "s": start, "e": end}
    with engine.connect() as conn:
        preds = pd.read_sql(query, conn, params=params)
        labels = pd.read_sql(
            text("SELECT request_id, label FROM labels WHERE model = :m"), conn, params={"m": MODEL}
        )
    return len(preds.merge(labels, on="request_id"))


def _measure(name: str, engine: Engine, rows: int, repeat: int) -> None:
    seeded = _seed(engine, rows)
    print(f"\n{name}: {rows:,} predictions and labels")
    for what, took in seeded.items():
        print(f"  insert {what:<11} {took:7.2f} s  ({rows / took:,.0f} rows/s)")
    for label, start, end in (
        ("whole day", DAY, DAY + timedelta(days=1)),
        ("one hour", DAY + timedelta(hours=12), DAY + timedelta(hours=13)),
    ):
        vigil, n_vigil = _best(
            lambda s=start, e=end: labelled_window(engine, MODEL, s, e).labelled, repeat
        )
        fair, n_fair = _best(
            lambda s=start, e=end: labelled_window(engine, MODEL, s, e, True).labelled, repeat
        )
        pandas, n_pandas = _best(lambda s=start, e=end: _pandas_join(engine, s, e), repeat)
        assert n_vigil == n_fair == n_pandas, (n_vigil, n_fair, n_pandas)
        print(
            f"  join, {label:<9} ({n_vigil:>9,} rows): Vigil {vigil:6.2f} s, with features "
            f"{fair:6.2f} s; pandas read_sql + merge {pandas:6.2f} s ({pandas / vigil:.1f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default: 3)")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vigil-join-") as folder:
        engine = create_store_engine(f"sqlite:///{Path(folder) / 'join.db'}")
        upgrade(engine)
        _measure("SQLite", engine, args.rows, args.repeat)
        engine.dispose()
    if args.postgres:
        name = f"vigil_join_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            engine = create_store_engine(url)
            upgrade(engine)
            _measure("PostgreSQL", engine, args.rows, args.repeat)
            engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"\nload average {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
