"""SLO evaluation: 100 SLOs over 30 days of per-minute traffic, in one scheduler tick.

Reproduce (from the repository root)::

    python bench/slo/bench_slo_eval.py                      # 25 models x 4 SLOs
    python bench/slo/bench_slo_eval.py --models 100 --slos-per-model 1
    python bench/slo/bench_slo_eval.py --models 1 --per-minute 100   # denser traffic

Both are 100 SLOs over 30 days of one prediction per model per minute (1.08M and 4.32M rows);
``--per-minute N`` stores N predictions per model and minute instead.

Measurements of the same tick (window end at a fixed instant, 30-day SLO periods):

1. **store, raw rows**: one run of the ``slo`` job with ``rollups=False``
   (:func:`slo.jobs.slo_job`) on an SQLite store seeded with 30 days of predictions: every
   SLO's windows are counted from the raw rows by SQL (the SLOs of one model share one
   statement), evaluated, and the signals written.
2. **store, rollups, first tick**: the job as ``vigil serve`` runs it (per-minute rollups,
   :mod:`slo.sli_rollup`), on its first tick: it rolls up the 30 days of history once.
3. **store, rollups, steady tick**: every later tick: re-count the last ``settle`` (10)
   minutes into the rollups, sum the windows from minute and hour rollups, evaluate, write.
   The benchmark checks that the rolled-up counts equal the raw ones for every SLO.
4. **counts**: the evaluation alone, over per-minute counts held in memory (prefix sums give
   each window's counts, then :func:`slo.evaluate.evaluate`): the floor for any store.
5. **pandas**: the baseline a user might write instead of Vigil: read the 30 days of
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
from slo.sli import EventCounts, count_events, count_model_windows
from slo.sli_config import SLISpec
from slo.sli_rollup import count_rolled_windows
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


def seed(path: Path, failed: np.ndarray, latency: np.ndarray, per_minute: int = 1) -> int:
    """Write ``per_minute`` predictions per model and minute before ``END`` into a store.

    The copies of a minute's prediction are spread over the minute (same outcome)."""
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    start = (END - PERIOD).replace(tzinfo=None)
    offsets = [timedelta(minutes=1) * k / per_minute for k in range(per_minute)]
    stamps = [
        [(start + timedelta(minutes=i) + o).isoformat(" ", "microseconds") for o in offsets]
        for i in range(MINUTES)
    ]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    rows = 0
    for m in range(failed.shape[0]):
        model = f"model-{m:03d}"
        batch = [
            (
                model, "v1", f"r{m}-{i}-{k}", stamp, '{"x": 1.0}',
                None if failed[m, i] else "1", None if failed[m, i] else 0.5,
                float(latency[m, i]), "timeout" if failed[m, i] else None, stamp,
            )
            for i in range(MINUTES)
            for k, stamp in enumerate(stamps[i])
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


def evaluate_from_counts(
    slos: list[SLOSpec], prefix: dict[str, np.ndarray], per_minute: int = 1
) -> int:
    """Evaluate every SLO from per-minute good counts (prefix sums) of ``per_minute`` events."""
    breaches = 0
    for slo in slos:
        good_sums = prefix[slo.name]
        windows = slo.windows()
        counts = {}
        for span in windows_needed(slo, windows, END):
            minutes = int(span / timedelta(minutes=1))
            good = int(good_sums[-1] - good_sums[-1 - minutes]) * per_minute
            counts[span] = EventCounts(good=good, total=minutes * per_minute)
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
    parser.add_argument(
        "--per-minute", type=int, default=1, help="predictions per model and minute (default 1)"
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
            rows = seed(db, failed, latency, args.per_minute)
            print(f"seeded {rows:,} predictions in {time.perf_counter() - started:.1f} s")
        engine = create_store_engine(f"sqlite:///{db}")
        check = count_events(engine, slos[0], END - PERIOD, END)
        good = int((~failed[0]).sum()) * args.per_minute
        assert check == EventCounts(good=good, total=MINUTES * args.per_minute), check

        print(
            f"{len(slos)} SLOs on {args.models} models, {MINUTES:,} minutes"
            f" of {args.per_minute} event(s) each"
        )
        minute = timedelta(minutes=1)
        raw = slo_job(engine, slos, interval=minute, rollups=False)
        raw.run(END)  # warm-up: caches, and the first write of the tick's signals
        timed("store, raw rows: one tick (SQLite)", lambda: raw.run(END), args.repeat)
        rolled = slo_job(engine, slos, interval=minute)
        timed("store, rollups: first tick (rolls 30 days)", lambda: rolled.run(END), 1)
        timed("store, rollups: steady tick (SQLite)", lambda: rolled.run(END), args.repeat)
        for model in sorted({slo.model for slo in slos}):
            slis = [slo.sli for slo in slos if slo.model == model]
            spans = {s for slo in slos for s in windows_needed(slo, slo.windows(), END)}
            from_rollups = count_rolled_windows(engine, model, slis, END, spans)
            assert from_rollups == count_model_windows(engine, model, slis, END, spans), model
        print("  rolled-up counts equal the raw counts for every SLO and window")
        prefix = good_prefix_sums(slos, failed, latency)
        timed(
            "counts: evaluation over per-minute counts",
            lambda: evaluate_from_counts(slos, prefix, args.per_minute),
            args.repeat,
        )
        timed("pandas: read 30 days and sum windows", lambda: pandas_baseline(db, slos), 1)
        engine.dispose()


if __name__ == "__main__":
    main()
