"""Ingestion: events/s over HTTP, acknowledgement latency at a fixed load, the writer alone.

Reproduce (from the repository root; about 3 minutes on 2 cores)::

    python bench/ingest/bench_ingest.py --whylogs-python /path/to/whylogs-venv/bin/python

One run measures, with batches of 500 events of 20 numeric features each:

1. **HTTP throughput**: a collector (``vigil serve``'s app, one uvicorn worker) in its own
   process on 127.0.0.1; 4 client threads post pre-encoded batches back to back. Acked
   events/s for SQLite in ``spool`` and ``direct`` durability, and PostgreSQL when
   ``VIGIL_BENCH_POSTGRES_URL`` (default: the test server) answers. In spool mode the
   acknowledgement means fsynced to the spool; "stored" is when the writer drained it.
2. **Latency at 10,000 events/s offered**: 20 batches a second for 10 s, sent on schedule
   whatever the answers (open loop); p50/p99/max from the scheduled send time.
3. **In-process**: validation alone; spool append (encode + fsync) alone; the batch writer
   draining a pre-filled spool into SQLite (no HTTP, no validation).
4. **whylogs** (if ``--whylogs-python`` names an interpreter with whylogs, or whylogs is
   importable here): ``why.log`` of the same rows as one DataFrame and in 500-row batches.

Peak RSS is the collector process's VmHWM. Every run is bounded in events and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load import bodies, closed_loop, collector, event, open_loop, peak_rss_mib, spool_records
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from collector.batches import Batch, encode
from collector.exporter import StoreExporter
from collector.metrics import CollectorMetrics
from collector.spool import Spool
from collector.validation import Limits, validate_predictions
from collector.writer import BatchProcessor
from store.db import create_store_engine, upgrade
from store.specs import FeatureSpec, ModelSpec

BATCH = 500
PG_URL = os.environ.get(
    "VIGIL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MODEL = ModelSpec(
    name="bench", features=tuple(FeatureSpec(name=f"f{i}", type="numeric") for i in range(20))
)


def _now() -> datetime:
    return datetime.now(UTC)


def http_target(name: str, url: str, durability: str, tmp: Path, args: argparse.Namespace) -> dict:
    """Throughput, then latency at the offered load, against one fresh collector."""
    spool = tmp / f"spool-{name}-{durability}"
    run = uuid.uuid4().hex[:8]
    result: dict[str, Any] = {"store": name, "durability": durability}
    with collector(url, durability, spool) as (base, pid):
        closed_loop(base, bodies(f"warm-{run}", 4, BATCH), 2, 30)  # warm-up
        payloads = bodies(run, args.batches, BATCH)
        started = time.perf_counter()
        elapsed = closed_loop(base, payloads, args.concurrency, args.timeout)
        events = args.batches * BATCH
        result["acked_per_s"] = events / elapsed
        deadline = time.monotonic() + args.timeout
        while spool_records(base) > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        result["stored_per_s"] = events / (time.perf_counter() - started)
        offered = bodies(f"lat-{run}", int(args.latency_seconds * args.offered / BATCH), BATCH)
        latencies = sorted(open_loop(base, offered, BATCH / args.offered))
        result["p50_ms"] = 1000 * statistics.median(latencies)
        result["p99_ms"] = 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        result["max_ms"] = 1000 * latencies[-1]
        result["peak_rss_mib"] = peak_rss_mib(pid)
    return result


def in_process(tmp: Path, rows: int) -> dict[str, float]:
    """Validation, spool append and the writer's drain into SQLite, each timed alone."""
    engine = create_store_engine(f"sqlite:///{tmp / 'inproc.db'}")
    upgrade(engine)
    metrics = CollectorMetrics(CollectorRegistry())
    spool = Spool(tmp / "inproc-spool", 16 * 1024 * 1024)
    validating = appending = 0.0
    for start in range(0, rows, BATCH):
        events = [event(i, "inproc") for i in range(start, start + BATCH)]
        t0 = time.perf_counter()
        valid, errors = validate_predictions(events, {"bench": MODEL}, _now(), Limits())
        t1 = time.perf_counter()
        spool.append(encode(Batch("predictions", valid, _now())))
        validating, appending = validating + t1 - t0, appending + time.perf_counter() - t1
        assert not errors, errors[:1]
    processor = BatchProcessor(
        spool, StoreExporter(engine, metrics), metrics, _now, max_batch_rows=5000, delay=0
    )
    t0 = time.perf_counter()
    processor.start()
    drained = processor.force_flush(timeout=300)
    writing = time.perf_counter() - t0
    processor.shutdown(timeout=5)
    engine.dispose()
    assert drained, "the writer did not drain within 300 s"
    return {
        "validate_per_s": rows / validating,
        "spool_append_per_s": rows / appending,
        "writer_per_s": rows / writing,
    }


_WHYLOGS = """
import sys, time
import pandas as pd, whylogs as why
n = int(sys.argv[1])
df = pd.DataFrame({f"f{j}": [((i * 7 + j) % 1000) / 10 for i in range(n)] for j in range(20)})
why.log(df.head(1000))  # warm-up
t = time.perf_counter(); why.log(df); whole = time.perf_counter() - t
t = time.perf_counter(); view = None
for s in range(0, n, 500):
    part = why.log(df.iloc[s:s + 500]).view()
    view = part if view is None else view.merge(part)
batched = time.perf_counter() - t
print(why.__version__, n / whole, n / batched)
"""


def whylogs(python: str | None, rows: int) -> dict[str, Any] | None:
    """``why.log`` rows/s in a separate interpreter (whylogs pins its own dependencies)."""
    python = python or sys.executable
    try:
        out = subprocess.run(
            [python, "-c", _WHYLOGS, str(rows)], capture_output=True, text=True, timeout=180
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc)}
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    version, whole, batched = out.stdout.split()
    return {"version": version, "whole_per_s": float(whole), "batched_per_s": float(batched)}


def _postgres_database() -> tuple[str, Any] | None:
    """A throwaway database on the benchmark's PostgreSQL server, or None if unreachable."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"vigil_bench_{uuid.uuid4().hex[:10]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL not measured: {type(exc).__name__}", file=sys.stderr)
        admin.dispose()
        return None
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), admin


def main() -> None:
    parser = argparse.ArgumentParser(description="Vigil ingestion benchmark")
    parser.add_argument("--batches", type=int, default=120, help="batches per throughput run")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--offered", type=float, default=10_000, help="events/s offered")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--inproc-rows", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=60.0, help="bound of each phase, s")
    parser.add_argument("--whylogs-python", help="interpreter with whylogs installed")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results: dict[str, Any] = {"http": []}
    with tempfile.TemporaryDirectory(prefix="vigil-bench-ingest-") as folder:
        tmp = Path(folder)
        for durability in ("spool", "direct"):
            db = f"sqlite:///{tmp / f'http-{durability}.db'}"
            results["http"].append(http_target("SQLite", db, durability, tmp, args))
            print(json.dumps(results["http"][-1]), flush=True)
        postgres = _postgres_database()
        if postgres is not None:
            url, admin = postgres
            try:
                for durability in ("spool", "direct"):
                    results["http"].append(http_target("PostgreSQL", url, durability, tmp, args))
                    print(json.dumps(results["http"][-1]), flush=True)
            finally:
                with admin.connect() as conn:
                    database = make_url(url).database
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
                admin.dispose()
        results["in_process"] = in_process(tmp, args.inproc_rows)
        print(json.dumps(results["in_process"]), flush=True)
    results["whylogs"] = whylogs(args.whylogs_python, args.inproc_rows)
    print(json.dumps(results["whylogs"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
