"""SLO evaluation: 100 SLOs over 30 days of per-minute traffic, in one scheduler tick.

Reproduce (from the repository root)::

    python bench/slo/bench_slo_eval.py                      # 25 models x 4 SLOs
    python bench/slo/bench_slo_eval.py --models 100 --slos-per-model 1

Both are 100 SLOs over 30 days of one prediction per model per minute (1.08M and 4.32M rows).

Three measurements of the same tick (window end at a fixed instant, 30-day SLO periods):

1. **store**: one run of the real ``slo`` job (:func:`slo.jobs.slo_job`) on an SQLite store
   seeded with 30 days of predictions, one per model per minute: every SLO's windows are
   counted by SQL (the SLOs of one model share one statement), evaluated, and the 100 signals
   written. This is what ``vigil serve`` does each minute.
2. **counts**: the evaluation alone, over pre-aggregated per-minute counts held in memory
   (prefix sums give each window's counts, then :func:`slo.evaluate.evaluate`): what a tick
   would cost if the store kept per-minute rollups, which it does not today.
3. **pandas**: the baseline a user might write instead of Vigil: read the 30 days of
   predictions with ``pandas.read_sql`` and sum each window per SLO (burn rates only, no
   alert logic or signal writing).

The target is 1 s per tick. Seeding writes rows straight through ``sqlite3`` (in the format
SQLAlchemy stores them) because seeding through the ORM would take minutes; the check at the
start verifies the seeded rows read back as the store's own queries expect.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from slo.config import SLOSpec
from slo.evaluate import evaluate, windows_needed
from slo.jobs import slo_job
from slo.sli import EventCounts, count_events
from slo.sli_config import SLISpec
from store.db import create_store_engine, upgrade

END = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PERIOD = timedelta(days=30)
MINUTES = int(PERIOD / timedelta(minutes=1))
THRESHOLDS_MS = (100.0, 250.0, 500.0)
TARGET_SECONDS = 1.0


def build_slos(models: int, per_model: int = 4) -> list[SLOSpec]:
    """Up to four SLOs per model: availability, and latency at three thresholds."""
    slos = []
    for m in range(models):
        model = f"model-{m:03d}"
        kinds = [SLISpec(kind="availability")]
        kinds += [SLISpec(kind="latency", threshold_ms=t) for t in THRESHOLDS_MS]
        for sli in kinds[:per_model]:
            suffix = sli.kind if sli.threshold_ms is None else f"p{int(sli.threshold_ms)}"
            slos.append(
                SLOSpec(
                    name=f"{model}-{suffix}",
                    model=model,
                    sli=sli,
                    objective=99.5,
                    window=PERIOD,
                )
            )
    return slos


def traffic(models: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Per model and minute: whether the prediction failed, and its latency in ms."""
    rng = np.random.default_rng(seed)
    failed = rng.random((models, MINUTES)) < 0.002
    latency = rng.lognormal(mean=np.log(60), sigma=0.6, size=(models, MINUTES))
    return failed, latency


def seed(path: Path, failed: np.ndarray, latency: np.ndarray) -> int:
    """Write one prediction per model and minute before ``END`` into a migrated store."""
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    start = (END - PERIOD).replace(tzinfo=None)
    stamps = [(start + timedelta(minutes=i)).isoformat(" ", "microseconds") for i in range(MINUTES)]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rows = 0
    for m in range(failed.shape[0]):
        model = f"model-{m:03d}"
        batch = [
            (
                model, "v1", f"r{m}-{i}", stamps[i], '{"x": 1.0}',
                None if failed[m, i] else "1", None if failed[m, i] else 0.5,
                float(latency[m, i]), "timeout" if failed[m, i] else None, stamps[i],
            )
            for i in range(MINUTES)
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO predictions (model, version, request_id, ts, features, prediction,"
            " score, latency_ms, error, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
        rows += len(batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return rows


def good_prefix_sums(
    slos: list[SLOSpec], failed: np.ndarray, latency: np.ndarray
) -> dict[str, np.ndarray]:
    """Per SLO, the running count of good events minute by minute (the per-minute rollup)."""
    sums = {}
    for slo in slos:
        m = int(slo.model.removeprefix("model-"))
        threshold = slo.sli.threshold_ms
        good = ~failed[m] if threshold is None else latency[m] <= threshold
        sums[slo.name] = np.concatenate(([0], np.cumsum(good)))
    return sums


def evaluate_from_counts(slos: list[SLOSpec], prefix: dict[str, np.ndarray]) -> int:
    """Evaluate every SLO from per-minute good counts (prefix sums); every minute has 1 event."""
    breaches = 0
    for slo in slos:
        good_sums = prefix[slo.name]
        windows = slo.windows()
        counts = {}
        for span in windows_needed(slo, windows, END):
            minutes = int(span / timedelta(minutes=1))
            good = int(good_sums[-1] - good_sums[-1 - minutes])
            counts[span] = EventCounts(good=good, total=minutes)
        breaches += evaluate(slo, windows, counts, END).status == "breach"
    return breaches


def pandas_baseline(db: Path, slos: list[SLOSpec]) -> int:
    """Read 30 days of predictions with pandas and sum each SLO's windows."""
    import pandas as pd

    since = (END - PERIOD).replace(tzinfo=None).isoformat(" ", "microseconds")
    with sqlite3.connect(db) as conn:
        frame = pd.read_sql(
            "SELECT model, ts, latency_ms, error FROM predictions WHERE ts >= ?",
            conn,
            params=(since,),
            parse_dates=["ts"],
        )
    end = pd.Timestamp(END.replace(tzinfo=None))
    burning = 0
    for model, rows in frame.groupby("model"):
        for slo in (s for s in slos if s.model == model):
            if slo.sli.threshold_ms is None:
                good = rows["error"].isna()
            else:
                good = rows["latency_ms"] <= slo.sli.threshold_ms
            for span in windows_needed(slo, slo.windows()):
                inside = rows["ts"] >= end - span
                bad = int((~good[inside]).sum())
                burning += bad / max(int(inside.sum()), 1) / slo.error_budget > 14.4
    return burning


def timed(label: str, run: Callable[[], object], repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    verdict = "within" if median <= TARGET_SECONDS else "OVER"
    print(
        f"  {label:<44} median {median:7.3f} s  (min {min(seconds):.3f}, max {max(seconds):.3f})"
        f"  {verdict} the {TARGET_SECONDS:.0f} s target"
    )
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=25, help="models (default 25)")
    parser.add_argument(
        "--slos-per-model", type=int, default=4, choices=range(1, 5), help="1 to 4 (default 4)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--db", type=Path, help="keep the seeded SQLite file here and reuse it")
    args = parser.parse_args()

    slos = build_slos(args.models, args.slos_per_model)
    failed, latency = traffic(args.models)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if not db.exists():
            started = time.perf_counter()
            rows = seed(db, failed, latency)
            print(f"seeded {rows:,} predictions in {time.perf_counter() - started:.1f} s")
        engine = create_store_engine(f"sqlite:///{db}")
        check = count_events(engine, slos[0], END - PERIOD, END)
        assert check == EventCounts(good=int((~failed[0]).sum()), total=MINUTES), check

        print(f"{len(slos)} SLOs on {args.models} models, {MINUTES:,} minutes of one event each")
        job = slo_job(engine, slos, interval=timedelta(minutes=1))
        job.run(END)  # warm-up: caches, and the first write of the tick's signals
        timed("store: one tick of the slo job (SQLite)", lambda: job.run(END), args.repeat)
        prefix = good_prefix_sums(slos, failed, latency)
        timed(
            "counts: evaluation over per-minute counts",
            lambda: evaluate_from_counts(slos, prefix),
            args.repeat,
        )
        timed("pandas: read 30 days and sum windows", lambda: pandas_baseline(db, slos), 1)
        engine.dispose()


if __name__ == "__main__":
    main()
