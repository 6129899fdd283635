"""Dashboards: first render of every page on 10 models x 30 days of per-minute signals.

Reproduce (from the repository root)::

    python bench/dashboards/bench_first_render.py --db /tmp/fleet.db   # seeds (in 2-3 runs of
                                                                        # 2 min), then measures
    python bench/dashboards/bench_first_render.py --step-minutes 5     # a lighter store

The store (SQLite) is :func:`bench_seed.seed`: per model, a drift signal per feature and an
SLO signal every minute for 30 days, hourly performance, estimated performance, fairness and
quality signals, predictions in the latest window, and an incident on every third model.
Each page is run by Streamlit's ``AppTest`` in this process, so the measure is the script
run time (the queries, the shaping and building Streamlit's element tree), not what a
browser shows: websocket transfer and browser layout are not included.

Measured, per page (the Model page once per view, chosen with ``?view=``):

- **first**: the first run of that page in the session. For the Fleet page that is the first
  ``AppTest`` run in a new process (no engine cached, SQLite's page cache cold); the other
  pages are then first opened from it, as a user clicking through would;
- **median**: of ``--repeat`` further runs (only the engine is cached; queries run again).

Also :func:`dashboards.loaders.load_fleet` alone (the store's share of the Fleet page) and,
as the baseline a hand-written page often is, ``pandas.read_sql`` of every signal then the
latest per (model, detector, subject). The machine's load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).parent))
from bench_seed import DAYS, seed

from dashboards.launch import APP_PATH, DATABASE_URL_ENV, RUNBOOKS_DIR_ENV
from dashboards.loaders import load_fleet
from store.db import create_store_engine

ROOT = Path(__file__).resolve().parents[2]
#: (label, page file, query parameters) of every page and Model page view.
PAGES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("Model: drift and alerts, 7-day heatmap", "ui/model.py", {}),
    ("Model: performance (realized vs estimated)", "ui/model.py", {"view": "performance"}),
    ("Model: bias by group", "ui/model.py", {"view": "bias"}),
    ("Model: variants", "ui/model.py", {"view": "variants"}),
    ("Model: feature distribution", "ui/model.py", {"view": "distribution"}),
    ("SLOs", "ui/slos.py", {}),
    ("Incidents (list and timeline)", "ui/incidents.py", {}),
    ("Runbooks", "ui/runbooks.py", {}),
    ("Silences", "ui/silences.py", {}),
)


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _checked(app: AppTest) -> AppTest:
    assert not app.exception, [e.message for e in app.exception]
    return app


def _open(app: AppTest, page: str, query: dict[str, str]) -> None:
    app.query_params.clear()
    app.query_params.update(query)
    _checked(app.switch_page(page).run())


def pandas_latest(engine: Engine) -> pd.DataFrame:
    """Baseline: every signal into a DataFrame, then the latest per (model, detector, subject)."""
    frame = pd.read_sql("SELECT model, detector, subject, window_end, status FROM signals", engine)
    keys = ["model", "detector", "subject"]
    return frame.sort_values("window_end").groupby(keys, as_index=False).last()


def _row(label: str, first: float, runs: list[float]) -> str:
    return f"| {label} | {first:.2f} s | {statistics.median(runs):.2f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--features", type=int, default=5)
    parser.add_argument("--step-minutes", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="SQLite file to seed (kept; seeding resumes) and measure")
    parser.add_argument("--seed-only", action="store_true", help="seed the store, then stop")
    parser.add_argument(
        "--seed-budget", type=float, default=120.0, help="seconds of seeding per run (resumes)"
    )
    args = parser.parse_args()

    path = Path(args.db or Path(tempfile.mkdtemp(prefix="vigil-bench-")) / "fleet.db")
    url = f"sqlite:///{path}"
    start = time.perf_counter()
    step = timedelta(minutes=args.step_minutes)
    written, done = seed(url, args.models, args.features, step, args.seed_budget)
    if written:
        print(f"seeded {written:,} signals in {time.perf_counter() - start:.1f} s ({path})")
    if done < args.models:
        print(f"{done} of {args.models} models seeded: run the same command again to go on")
        return
    if args.seed_only:
        return
    os.environ[DATABASE_URL_ENV] = url
    os.environ[RUNBOOKS_DIR_ENV] = str(ROOT / "runbooks")
    load_before = os.getloadavg()

    app = AppTest.from_file(str(APP_PATH), default_timeout=120)
    cold = _timed(lambda: _checked(app.run()))
    fleet_tiles = [s.value for s in app.subheader]
    warm = []
    for _ in range(args.repeat):
        again = AppTest.from_file(str(APP_PATH), default_timeout=120)
        warm.append(_timed(lambda again=again: _checked(again.run())))  # type: ignore[misc]
    rows = [_row("**Fleet** (one tile per model, 8 lights)", cold, warm)]
    for label, page, query in PAGES:

        def opened(page: str = page, query: dict[str, str] = query) -> None:
            _open(app, page, query)

        first = _timed(opened)
        rows.append(_row(label, first, [_timed(opened) for _ in range(args.repeat)]))

    engine = create_store_engine(url)
    tiles = load_fleet(engine)
    query_runs = [_timed(lambda: load_fleet(engine)) for _ in range(args.repeat)]
    baseline = [_timed(lambda: pandas_latest(engine)) for _ in range(args.repeat)]
    engine.dispose()
    load_after = os.getloadavg()

    assert len(tiles) == args.models == len(fleet_tiles), (tiles, fleet_tiles)
    print(
        f"{args.models} models x {args.features} features x {DAYS} days of "
        f"{args.step_minutes}-minute windows; {os.cpu_count()} CPUs; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print("| page | first render | median of later runs |")
    print("| --- | ---: | ---: |")
    print("\n".join(rows))
    print(f"load_fleet alone (median):         {statistics.median(query_runs):.2f} s")
    print(f"pandas read_sql baseline (median): {statistics.median(baseline):.2f} s")
    print(f"tiles: {[(t.model, t.worst) for t in tiles]}")


if __name__ == "__main__":
    main()
