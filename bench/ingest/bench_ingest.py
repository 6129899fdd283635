"""Ingestion: events/s over HTTP, acknowledgement latency at a fixed load, the writer alone.

Reproduce (from the repository root; one pass takes about 2.5 minutes on 2 cores)::

    pip install -e '.[bench]'                     # whylogs, for the comparison
    python bench/ingest/bench_ingest.py --json /tmp/ingest-1.json
    python bench/ingest/bench_ingest.py --json /tmp/ingest-2.json
    python bench/ingest/bench_ingest.py --json /tmp/ingest-3.json
    python bench/ingest/bench_ingest.py --summarize /tmp/ingest-*.json   # median [min-max]

(``--repeat 3`` does the three passes in one command, for about 7.5 minutes.)

One pass measures, with batches of 500 events of 20 numeric features each:

1. **HTTP throughput**: a collector (``vigil serve``'s app, one uvicorn worker, profiles on
   and the spool's writer in a process of its own as in ``vigil serve``; ``--no-profiles``
   and ``--writer thread`` change that) in its own process on 127.0.0.1; 4 client threads
   (``http.client``) post pre-encoded batches back to back. Acked events/s for SQLite and
   PostgreSQL (a throwaway database on the server at
   ``VIGIL_BENCH_POSTGRES_URL``, default the test server; dropped afterwards), each in
   ``spool`` and ``direct`` durability. In spool mode the acknowledgement means fsynced to
   the spool; "stored" is when the writer has drained it (and profiled it).
2. **Latency at 10,000 events/s offered**: 20 batches a second for 10 s, sent on schedule
   whatever the answers (open loop); p50/p99/max from the scheduled send time.
3. **In-process**: the API's validation (validate, redact, prepare the store's rows)
   alone; spool append (encode + fsync) alone; the batch writer draining a pre-filled
   spool (decode + idempotent bulk insert) into SQLite and PostgreSQL, without and with
   the profiler (``_profiled``); and SQLite's own ceiling for the same prepared rows with
   no Vigil code (``sqlite_bare``: ``executemany`` into the store's table and indexes;
   ``sqlite_bare_random_ids``: the same with random request ids, as ``uuid4`` makes them;
   ``sqlite_bare_memory_no_index``: into an in-memory table without indexes).
4. **whylogs** (importable here, or in the interpreter ``--whylogs-python`` names):
   ``why.log`` of the same rows as one DataFrame and in 500-row batches, in a subprocess.

Each pass starts by timing two fixed workloads (``speed``: orjson parsing per event, a
Python loop per step): the reference VM's speed varies about 2x between hours, and these
say how fast it was. Peak RSS is the collector's VmHWM plus its writer process's (HTTP; an
upper bound, the two may peak at different times) or the subprocess's ``ru_maxrss``
(whylogs); CPU per event counts the writer process too. Every run is bounded in events and
seconds. The machine's load average is recorded with each pass: the reference machine is
shared, so read ranges, not one figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from in_process import BATCH, in_process, load_average, now
from load import (
    bodies,
    closed_loop,
    collector,
    cpu_seconds,
    gc_pauses,
    open_loop,
    peak_rss_mib,
    spool_records,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get(
    "VIGIL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def machine_speed() -> dict[str, float]:
    """CPU time of two fixed workloads (best of three), so passes from hours of different VM
    speed can be compared: parsing a 500-event body with orjson (per event) and a plain
    Python loop (per step)."""
    body = bodies("speed", 1, BATCH)[0]
    parse, loop = [], []
    for _ in range(3):
        started = time.process_time()
        for _ in range(100):
            orjson.loads(body)
        parse.append((time.process_time() - started) / (100 * BATCH))
        started = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i & 7
        loop.append((time.process_time() - started) / 1_000_000)
    return {
        "parse_us_per_event": round(min(parse) * 1e6, 3),
        "loop_ns_per_step": round(min(loop) * 1e9, 1),
    }


def http_target(name: str, url: str, durability: str, tmp: Path, args: argparse.Namespace) -> dict:
    """Throughput, then latency at the offered load, against one fresh collector."""
    spool = tmp / f"spool-{name}-{durability}-{uuid.uuid4().hex[:6]}"
    run = uuid.uuid4().hex[:8]
    result: dict[str, Any] = {
        "store": name,
        "durability": durability,
        "profiles": not args.no_profiles,
        "writer": args.writer,
        "load_before": load_average(),
    }
    with collector(url, durability, spool, profiles=not args.no_profiles, writer=args.writer) as (
        base,
        pid,
    ):
        closed_loop(base, bodies(f"warm-{run}", 8, BATCH), 2, 30)  # warm-up
        payloads = bodies(run, args.batches, BATCH)
        cpu = cpu_seconds(pid)
        started = time.perf_counter()
        elapsed = closed_loop(base, payloads, args.concurrency, args.timeout)
        events = args.batches * BATCH
        result["acked_per_s"] = events / elapsed
        deadline = time.monotonic() + args.timeout
        while spool_records(base) > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        result["stored_per_s"] = events / (time.perf_counter() - started)
        # CPU the collector spent per event, receiving to stored: robust to a busy machine.
        result["cpu_us_per_event"] = 1e6 * (cpu_seconds(pid) - cpu) / events
        offered = bodies(f"lat-{run}", int(args.latency_seconds * args.offered / BATCH), BATCH)
        with gc_pauses() as pauses:
            latencies = sorted(open_loop(base, offered, BATCH / args.offered))
        result["client_gc_max_ms"] = 1000 * max(pauses, default=0.0)
        result["p50_ms"] = 1000 * statistics.median(latencies)
        result["p99_ms"] = 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
        result["max_ms"] = 1000 * latencies[-1]
        result["peak_rss_mib"] = peak_rss_mib(pid)
    result["load_after"] = load_average()
    return result


_WHYLOGS = """
import resource, sys, time
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
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(why.__version__, n / whole, n / batched, rss)
"""


def whylogs(python: str | None, rows: int) -> dict[str, Any]:
    """``why.log`` rows/s in a separate interpreter (the same rows as the writer's)."""
    python = python or sys.executable
    try:
        out = subprocess.run(
            [python, "-c", _WHYLOGS, str(rows)], capture_output=True, text=True, timeout=150
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"error": str(exc)}
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    version, whole, batched, rss = out.stdout.split()
    return {
        "version": version,
        "whole_per_s": float(whole),
        "batched_per_s": float(batched),
        "peak_rss_mib": float(rss),
    }


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A throwaway database on the benchmark's PostgreSQL server (None if unreachable)."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"vigil_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"PostgreSQL not measured: {type(exc).__name__}", file=sys.stderr)
        admin.dispose()
        yield None
        return
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def one_pass(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement once, in the order the README's tables list them."""
    results: dict[str, Any] = {"http": [], "started": now().isoformat(), "cpus": os.cpu_count()}
    results["speed"] = machine_speed()
    print(json.dumps({"speed": results["speed"]}), flush=True)
    stores = args.stores.split(",")
    with tempfile.TemporaryDirectory(prefix="vigil-bench-ingest-") as folder:
        tmp = Path(folder)
        if "sqlite" in stores:
            for durability in ("spool", "direct"):
                db = f"sqlite:///{tmp / f'http-{durability}.db'}"
                results["http"].append(http_target("SQLite", db, durability, tmp, args))
                print(json.dumps(results["http"][-1]), flush=True)
        if "postgresql" in stores:
            for durability in ("spool", "direct"):
                with postgres_database() as url:
                    if url is None:
                        break
                    target = http_target("PostgreSQL", url, durability, tmp, args)
                    results["http"].append(target)
                    print(json.dumps(target), flush=True)
        if args.inproc_rows:
            with postgres_database() as url:
                pg = url if "postgresql" in stores else None
                results["in_process"] = in_process(tmp, args.inproc_rows, pg)
            print(json.dumps(results["in_process"]), flush=True)
    if not args.skip_whylogs:
        results["whylogs"] = whylogs(args.whylogs_python, args.inproc_rows or 200_000)
        print(json.dumps(results["whylogs"]), flush=True)
    return results


def _figures(passes: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Every numeric figure of the passes, by a flat name, one value per pass."""
    found: dict[str, list[float]] = {}

    def add(name: str, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            found.setdefault(name, []).append(float(value))

    for result in passes:
        for target in result.get("http", []):
            for key, value in target.items():
                add(f"http {target['store']} {target['durability']} {key}", value)
        for section in ("speed", "in_process", "whylogs"):
            for key, value in (result.get(section) or {}).items():
                add(f"{section} {key}", value)
    return found


def summarize(passes: list[dict[str, Any]], out: Callable[[str], None] = print) -> None:
    """Median and range of each figure over the passes."""
    out(f"{len(passes)} pass(es)")
    for name, values in _figures(passes).items():
        median = statistics.median(values)
        spread = f"  [{min(values):,.1f} - {max(values):,.1f}]" if len(values) > 1 else ""
        out(f"{name:55s} {median:>12,.1f}{spread}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Vigil ingestion benchmark")
    parser.add_argument("--batches", type=int, default=120, help="batches per throughput run")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--offered", type=float, default=10_000, help="events/s offered")
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--inproc-rows", type=int, default=200_000, help="0 skips in-process")
    parser.add_argument("--stores", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--timeout", type=float, default=60.0, help="bound of each phase, s")
    parser.add_argument("--whylogs-python", help="interpreter with whylogs (default: this one)")
    parser.add_argument("--skip-whylogs", action="store_true")
    parser.add_argument(
        "--no-profiles", action="store_true", help="HTTP collectors without the profiler"
    )
    parser.add_argument(
        "--writer",
        choices=("process", "thread"),
        default="process",
        help="where HTTP collectors run the spool's writer (collector.writer; default process)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="passes in this command")
    parser.add_argument("--json", help="write the results (a list of passes) here")
    parser.add_argument("--summarize", nargs="+", metavar="JSON", help="only summarize files")
    args = parser.parse_args()
    if args.summarize:
        passes = [p for f in args.summarize for p in json.loads(Path(f).read_text())]
        summarize(passes)
        return
    gc.collect()  # as `vigil serve` does (the in-process writer runs in this process)
    gc.freeze()
    passes = []
    for _ in range(args.repeat):
        passes.append(one_pass(args))
        if args.json:
            Path(args.json).write_text(json.dumps(passes, indent=2))
    summarize(passes)


if __name__ == "__main__":
    main()
