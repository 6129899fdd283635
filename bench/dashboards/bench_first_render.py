"""Dashboards: first render of the Fleet page on 10 models x 30 days of 5-minute drift signals.

Reproduce (from the repository root)::

    python bench/dashboards/bench_first_render.py                  # 10 models x 5 features
    python bench/dashboards/bench_first_render.py --features 10 --db /tmp/fleet.db

The store (SQLite) is seeded through the store's own functions (:func:`store.signals.write_signals`,
:func:`store.alerts.upsert_firing`): per model, one drift signal per feature every 5 minutes
for 30 days (8,640 windows), the latest ``slo`` signal of one SLO, and for every third model a
firing alert. The page is run by Streamlit's ``AppTest`` in this process, so the measure is
the script run time (the queries, the shaping and building Streamlit's element tree), not
what a browser shows: websocket transfer and browser layout are not included.

Measured:

1. **fleet, cold**: the first ``AppTest`` run of the app on its Fleet page in a new process
   (no engine cached, SQLite's page cache empty);
2. **fleet, warm**: median of the following runs (the engine is cached by ``st.cache_resource``;
   the queries run again, nothing else is cached);
3. **load_fleet**: median of :func:`dashboards.loaders.load_fleet` alone (the store's share);
4. **model page**: median run of the Model page with its 7-day drift heatmap;
5. **pandas**: the baseline a user might write in a hand-made Streamlit page: read every
   signal with ``pandas.read_sql`` and keep the latest per (model, detector, subject).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboards.launch import APP_PATH, DATABASE_URL_ENV
from dashboards.loaders import load_fleet
from store.alerts import upsert_firing
from store.db import create_store_engine, upgrade
from store.predictions import register_models
from store.records import Signal
from store.signals import write_signals

END = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
DAYS = 30
CHUNK = 20_000


def _drift(model: str, feature: str, end: datetime, value: float) -> Signal:
    return Signal(
        detector="drift",
        model=model,
        subject=feature,
        metric="wasserstein",
        window_start=end - timedelta(hours=1),
        window_end=end,
        value=value,
        threshold=0.1,
        status="breach" if value > 0.1 else "ok",
        sample_size=1000,
        details={},
    )


def _slo(model: str) -> Signal:
    return Signal(
        detector="slo",
        model=model,
        subject=f"{model}-availability",
        metric="error_budget_burn",
        window_start=END - timedelta(hours=6),
        window_end=END,
        value=1.2,
        threshold=14.4,
        status="ok",
        sample_size=50_000,
        details={
            "state": "ok",
            "budget_remaining": 0.7,
            "budget_exhausted_in_seconds": 9 * 86400.0,
            "burn_rates": {"5m": 1.5, "1h": 1.2, "6h": 1.1, "30d": 0.3},
        },
    )


def seed(url: str, models: int, features: int) -> int:
    """Seed the store; returns how many signals were written."""
    engine = create_store_engine(url)
    upgrade(engine)
    names = [f"model-{m:02d}" for m in range(models)]
    register_models(engine, [(n, "binary_classification") for n in names], END)
    windows = int(timedelta(days=DAYS) / STEP)
    written = 0
    for m, name in enumerate(names):
        batch: list[Signal] = []
        for w in range(windows):
            end = END - (windows - 1 - w) * STEP
            for f in range(features):
                # A slow rise on one feature of every other model: some tiles go amber/red.
                rising = m % 2 == 0 and f == 0
                value = 0.02 + (0.12 * w / windows if rising else 0.01 * ((w + f) % 5))
                batch.append(_drift(name, f"feature_{f:02d}", end, value))
            if len(batch) >= CHUNK:
                written += write_signals(engine, batch, END)
                batch = []
        written += write_signals(engine, [*batch, _slo(name)], END)
        if m % 3 == 0:
            labels = {"alertname": "FeatureDrift", "model": name, "severity": "warning"}
            upsert_firing(engine, labels, {"summary": "drift"}, starts_at=END, now=END)
    engine.dispose()
    return written


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _app(page: str | None) -> AppTest:
    app = AppTest.from_file(str(APP_PATH), default_timeout=120)
    app.run()
    if page is not None:
        app.switch_page(page).run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def pandas_latest(engine: Engine) -> pd.DataFrame:
    """Baseline: every signal into a DataFrame, then the latest per (model, detector, subject)."""
    frame = pd.read_sql("SELECT model, detector, subject, window_end, status FROM signals", engine)
    keys = ["model", "detector", "subject"]
    return frame.sort_values("window_end").groupby(keys, as_index=False).last()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--features", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="SQLite file to seed (kept) or reuse if it exists")
    args = parser.parse_args()

    path = Path(args.db or Path(tempfile.mkdtemp(prefix="vigil-bench-")) / "fleet.db")
    url = f"sqlite:///{path}"
    if not path.exists():
        start = time.perf_counter()
        written = seed(url, args.models, args.features)
        print(f"seeded {written:,} signals in {time.perf_counter() - start:.1f} s ({path})")
    os.environ[DATABASE_URL_ENV] = url

    cold = _timed(lambda: _app(None))
    warm = [_timed(lambda: _app(None)) for _ in range(args.repeat)]
    engine = create_store_engine(url)
    tiles = load_fleet(engine)
    query = [_timed(lambda: load_fleet(engine)) for _ in range(args.repeat)]
    baseline = [_timed(lambda: pandas_latest(engine)) for _ in range(args.repeat)]
    engine.dispose()
    app = _app(None)
    model_page = []
    for _ in range(args.repeat):
        model_page.append(_timed(lambda: app.switch_page("ui/model.py").run()))
        app.switch_page("ui/fleet.py").run()

    assert len(tiles) == args.models, tiles
    print(f"{args.models} models x {args.features} features x {DAYS} days of 5-minute windows")
    print(f"fleet, cold (first AppTest run):   {cold:.2f} s")
    print(f"fleet, warm (median of {args.repeat}):       {statistics.median(warm):.2f} s")
    print(f"load_fleet alone (median):         {statistics.median(query):.2f} s")
    print(f"model page, 7-day heatmap (median): {statistics.median(model_page):.2f} s")
    print(f"pandas read_sql baseline (median): {statistics.median(baseline):.2f} s")
    print(f"tiles: {[(t.model, t.worst) for t in tiles]}")


if __name__ == "__main__":
    main()
