"""The cost of profiling in the batch writer: writer throughput with and without the hook.

Reproduce (from the repository root; about a minute on 2 cores)::

    python bench/ingest/bench_profiles.py [--rows 200000] [--postgres]

The same validated rows (20 numeric features, bench/ingest/load.py's events, spread over
``--minutes`` minutes) are spooled once per run, then drained by the writer into a fresh
SQLite database (and PostgreSQL with ``--postgres``), once without a profiler and once with
:class:`collector.profiles.profiler.Profiler` (reference bin edges stored, reservoir of
1,000 rows). Runs alternate and the best of ``--repeat`` is kept. Also timed alone: the
accumulator (rows to profiles, no database) and the profile upsert-merge; and the drift of
a one-hour window of 20 features (1M rows) from 60 merged minutes vs from the raw values.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from load import event
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from collector.batches import Batch, encode
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.profiles.accumulator import profile_batch
from collector.profiles.config import ProfilesConfig
from collector.profiles.profiler import Profiler
from collector.spool import Spool
from collector.validation import Limits, validate_predictions
from collector.writer import BatchProcessor
from detectors.methods import METHODS
from detectors.profile_drift import profile_method
from store.bin_edges import reference_bin_edges
from store.db import create_store_engine, upgrade
from store.profile_records import numeric_profile
from store.profiles import ProfileKey, merge_window, upsert_profiles, write_reference_bins
from store.specs import FeatureSpec, ModelSpec

MODEL = ModelSpec(
    name="bench", features=tuple(FeatureSpec(name=f"f{i}", type="numeric") for i in range(20))
)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)


def validated(rows: int, minutes: int) -> list[list[dict[str, Any]]]:
    """Validated rows in 500-row batches, their timestamps spread over ``minutes``."""
    batches = []
    for start in range(0, rows, 500):
        events = [event(i, "prof") for i in range(start, start + 500)]
        for i, e in enumerate(events):
            e["timestamp"] = (T0 + timedelta(seconds=(start + i) * 60 * minutes / rows)).isoformat()
        valid, errors = validate_predictions(events, {"bench": MODEL}, now(), Limits())
        assert not errors
        batches.append(valid)
    return batches


def spool_copy(template: Path, into: Path) -> Spool:
    shutil.copytree(template, into)
    return Spool(into, 16 * 1024 * 1024)


def drain(url: str, spool: Spool, profile: bool) -> float:
    """Rows/s of the writer draining ``spool`` into the (fresh) database at ``url``."""
    engine = create_store_engine(url)
    upgrade(engine)
    profiler = None
    if profile:
        edges = reference_bin_edges(np.arange(0.0, 100.0, 0.1))
        write_reference_bins(engine, "bench", {f.name: edges for f in MODEL.features}, "b", now())
        profiler = Profiler(engine, [MODEL], ProfilesConfig(), now)
    metrics = CollectorMetrics(CollectorRegistry())
    processor = BatchProcessor(
        spool,
        StoreExporter(engine, metrics, profiler=profiler),
        metrics,
        now,
        max_batch_rows=5000,
        delay=0,
    )
    rows = spool.depth_records() * 500
    started = time.perf_counter()
    processor.start()
    assert processor.force_flush(timeout=300), "the writer did not drain within 300 s"
    elapsed = time.perf_counter() - started
    processor.shutdown(timeout=5)
    if profiler is not None:
        assert profiler.failures == 0
    engine.dispose()
    return rows / elapsed


def alone(batches: list[list[dict[str, Any]]], tmp: Path) -> dict[str, float]:
    """The accumulator and the upsert-merge, each timed without the writer."""
    edges = reference_bin_edges(np.arange(0.0, 100.0, 0.1))
    all_edges = {("bench", f.name): edges for f in MODEL.features}
    config = ProfilesConfig()
    rng = np.random.default_rng(0)
    groups = [  # the writer's batches of 5,000 rows
        [row for batch in batches[i : i + 10] for row in batch] for i in range(0, len(batches), 10)
    ]
    rows = sum(len(g) for g in groups)
    started = time.perf_counter()
    built = [profile_batch(g, {"bench": MODEL}, all_edges, config.sketches, rng) for g in groups]
    accumulating = time.perf_counter() - started
    engine = create_store_engine(f"sqlite:///{tmp / 'alone.db'}")
    upgrade(engine)
    started = time.perf_counter()
    for batch in built:
        upsert_profiles(engine, batch.profiles, now())
    upserting = time.perf_counter() - started
    engine.dispose()
    return {
        "accumulator_rows_per_s": rows / accumulating,
        "upsert_ms_per_writer_batch": 1000 * upserting / len(built),
        "profiles_per_writer_batch": float(np.mean([len(b.profiles) for b in built])),
    }


def window_drift(rows_per_minute: int, features: int = 20) -> dict[str, float]:
    """Drift of a one-hour window (60 stored minutes) from profiles vs from raw values."""
    rng = np.random.default_rng(0)
    reference = rng.normal(size=100_000)
    edges = reference_bin_edges(reference)
    ref_profile = numeric_profile(reference, edges=edges)
    minutes = {
        ProfileKey("bench", "v1", f"f{j}", T0 + timedelta(minutes=m)): numeric_profile(
            rng.normal(0.05, 1, rows_per_minute), edges=edges
        )
        for m in range(60)
        for j in range(features)
    }
    started = time.perf_counter()
    window = merge_window(minutes)
    for profile in window.values():
        profile_method("wasserstein", ref_profile, profile, edges)
        profile_method("psi", ref_profile, profile, edges)
    from_profiles = time.perf_counter() - started
    raw = [rng.normal(0.05, 1, 60 * rows_per_minute) for _ in range(features)]
    started = time.perf_counter()
    for values in raw:
        METHODS["wasserstein"](reference, values)
        METHODS["psi"](reference, values)
    from_raw = time.perf_counter() - started
    return {
        "window_rows": 60.0 * rows_per_minute,
        "from_profiles_s": from_profiles,
        "from_raw_values_s": from_raw,
    }


def postgres_database() -> tuple[str, Any] | None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"vigil_bench_{uuid.uuid4().hex[:10]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL not measured: {type(exc).__name__}", file=sys.stderr)
        return None
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), admin


def main() -> None:
    parser = argparse.ArgumentParser(description="writer throughput with and without profiles")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--minutes", type=int, default=4, help="minutes the rows span")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--window-rows-per-minute", type=int, default=16_667, help="1M an hour")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="vigil-bench-profiles-") as folder:
        tmp = Path(folder)
        batches = validated(args.rows, args.minutes)
        template = tmp / "template"
        spool = Spool(template, 16 * 1024 * 1024)
        for rows in batches:
            spool.append(encode(Batch("predictions", rows, now())))
        spool.close()
        results["alone"] = alone(batches, tmp)
        print(json.dumps(results["alone"]), flush=True)
        results["window_drift"] = window_drift(args.window_rows_per_minute)
        print(json.dumps(results["window_drift"]), flush=True)
        targets: list[tuple[str, str | None]] = [("SQLite", None)]
        postgres = postgres_database() if args.postgres else None
        if postgres is not None:
            targets.append(("PostgreSQL", postgres[0]))
        try:
            for name, pg_url in targets:
                best = {False: 0.0, True: 0.0}
                for run in range(args.repeat):
                    for profile in (False, True):
                        tag = f"{name}-{run}-{profile}"
                        url = pg_url or f"sqlite:///{tmp / f'{tag}.db'}"
                        if pg_url:
                            engine = create_store_engine(pg_url)
                            with engine.begin() as conn:
                                conn.execute(text("DROP SCHEMA public CASCADE"))
                                conn.execute(text("CREATE SCHEMA public"))
                            engine.dispose()
                        spool = spool_copy(template, tmp / f"spool-{tag}")
                        best[profile] = max(best[profile], drain(url, spool, profile))
                results[name] = {
                    "writer_rows_per_s": best[False],
                    "with_profiles_rows_per_s": best[True],
                    "overhead_percent": 100 * (best[False] / best[True] - 1),
                }
                print(json.dumps({name: results[name]}), flush=True)
        finally:
            if postgres is not None:
                url, admin = postgres
                with admin.connect() as conn:
                    database = make_url(url).database
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                admin.dispose()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
