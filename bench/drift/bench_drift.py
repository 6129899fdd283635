"""Data drift of a current dataset against its reference: Vigil against Evidently 0.7.

    /work/venv/bin/python bench/drift/bench_drift.py            # both datasets, ~3 minutes
    /work/venv/bin/python bench/drift/bench_drift.py --rows-scale 0.1   # a quick look

Datasets (reference and current have the same number of rows; a third of the columns shift
by clearly more than the default thresholds, the rest not at all or by clearly less):

- ``100k x (20 numeric + 5 categorical)``
- ``1M x 20 numeric``

Tools, each run on in-memory data with its defaults (automatic method per column):

- **Vigil**: ``detectors.check_plan.plan_columns`` + ``detectors.check.run_check`` on two
  pyarrow tables -- what ``vigil check`` does after reading the files, so this includes kind
  inference and the quality checks (missing values, ranges, unseen categories), with one
  thread per core as ``vigil check`` uses;
- **Evidently**: ``Report([DataDriftPreset()], include_tests=True).run(current, reference)``
  on two pandas DataFrames with an explicit ``DataDefinition``.

Each (tool, dataset) runs in its own subprocess, which generates the data from a fixed seed
(not timed), times the call once (wall clock) and reports its peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``, so it includes the data itself and the
libraries). The verdicts compared are each tool's per-column drift decision.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS: dict[str, tuple[int, int, int]] = {
    "100k x (20 numeric + 5 categorical)": (100_000, 20, 5),
    "1M x 20 numeric": (1_000_000, 20, 0),
}
#: Shift of each numeric column, in reference standard deviations (cycled).
SHIFTS = (0.0, 0.0, 0.03, 0.3, 0.05, 0.6)
CATEGORIES = np.array(["a", "b", "c", "d", "e", "f"])


def _numeric(rng: np.random.Generator, i: int, n: int) -> np.ndarray:
    shape = i % 4
    if shape == 0:
        return rng.normal(50.0, 10.0, n)
    if shape == 1:
        return rng.lognormal(3.0, 0.5, n)
    if shape == 2:
        return rng.exponential(2.0, n)
    return np.floor(rng.uniform(0, 500, n))


def make_data(rows: int, numeric: int, categorical: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reference and current columns (numpy arrays), the same for every tool."""
    rng = np.random.default_rng(20260302)
    reference: dict[str, Any] = {}
    current: dict[str, Any] = {}
    for i in range(numeric):
        name = f"num_{i:02d}"
        reference[name] = _numeric(rng, i, rows)
        shift = SHIFTS[i % len(SHIFTS)] * float(np.std(reference[name]))
        current[name] = _numeric(rng, i, rows) + shift
    base = np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    for j in range(categorical):
        name = f"cat_{j}"
        moved = base if j % 2 == 0 else np.array([0.1, 0.1, 0.2, 0.2, 0.2, 0.2])
        reference[name] = rng.choice(CATEGORIES, rows, p=base)
        current[name] = rng.choice(CATEGORIES, rows, p=moved)
    return reference, current


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_vigil(reference: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    import pyarrow as pa

    from detectors.check import run_check
    from detectors.check_plan import plan_columns
    from detectors.config import DetectorsConfig

    ref_table, cur_table = pa.table(reference), pa.table(current)
    config = DetectorsConfig()
    started = time.perf_counter()
    workers = min(os.cpu_count() or 1, 8)  # as `vigil check` does
    report = run_check(
        plan_columns(ref_table, cur_table), config.drift, config.quality, workers=workers
    )
    seconds = time.perf_counter() - started
    outcomes = {c.name: c.drift for c in report.columns if c.drift is not None}
    return {
        "seconds": seconds,
        "drifted": sorted(name for name, o in outcomes.items() if o.verdict.drifted),
        "methods": sorted({o.drift.method for o in outcomes.values()}),
    }


def run_evidently(reference: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    warnings.simplefilter("ignore")
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    ref_frame, cur_frame = pd.DataFrame(reference), pd.DataFrame(current)
    definition = DataDefinition(
        numerical_columns=[c for c in reference if c.startswith("num_")],
        categorical_columns=[c for c in reference if c.startswith("cat_")],
    )
    started = time.perf_counter()
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        Dataset.from_pandas(cur_frame, data_definition=definition),
        Dataset.from_pandas(ref_frame, data_definition=definition),
    )
    seconds = time.perf_counter() - started
    tests = [t for t in snapshot.dict()["tests"] if t["id"] == "drift"]
    return {
        "seconds": seconds,
        "drifted": sorted(
            t["metric_config"]["params"]["column"] for t in tests if t["status"] == "FAIL"
        ),
        "methods": sorted({t["metric_config"]["params"]["method"] for t in tests}),
    }


def worker(tool: str, scenario: str, scale: float) -> None:
    rows, numeric, categorical = SCENARIOS[scenario]
    reference, current = make_data(max(int(rows * scale), 10), numeric, categorical)
    result = (run_vigil if tool == "vigil" else run_evidently)(reference, current)
    print(json.dumps({**result, "peak_rss_mb": _peak_rss_mb(), "columns": len(reference)}))


def _measure(tool: str, scenario: str, scale: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", tool, "--scenario", scenario]
    command += ["--rows-scale", str(scale)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _evidently_version() -> str:
    from importlib.metadata import version

    return version("evidently")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows-scale", type=float, default=1.0, help="scale every row count")
    parser.add_argument("--worker", choices=("vigil", "evidently"), help=argparse.SUPPRESS)
    parser.add_argument("--scenario", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.scenario, args.rows_scale)
        return
    lines = [
        "| dataset | tool | wall time (s) | peak RSS (MiB) | drifted columns | same verdicts |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for scenario in SCENARIOS:
        vigil = _measure("vigil", scenario, args.rows_scale)
        evidently = _measure("evidently", scenario, args.rows_scale)
        same = "yes" if vigil["drifted"] == evidently["drifted"] else "**no**"
        columns = vigil["columns"]
        lines += [
            f"| {scenario} | Vigil | {vigil['seconds']:.2f} | {vigil['peak_rss_mb']:.0f} "
            f"| {len(vigil['drifted'])}/{columns} | {same} |",
            f"| | Evidently {_evidently_version()} | {evidently['seconds']:.2f} "
            f"| {evidently['peak_rss_mb']:.0f} | {len(evidently['drifted'])}/{columns} | |",
            f"| | ratio | **{evidently['seconds'] / vigil['seconds']:.0f}x faster** "
            f"| {evidently['peak_rss_mb'] / vigil['peak_rss_mb']:.1f}x less | | |",
        ]
        if same != "yes":
            print(f"{scenario}: Vigil {vigil['drifted']} != Evidently {evidently['drifted']}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
