"""Realized performance and fairness metrics: Vigil against scikit-learn and fairlearn.

    /work/venv/bin/python bench/performance/bench_performance.py            # 1M rows
    /work/venv/bin/python bench/performance/bench_performance.py --rows 100000

Data (fixed seed, not timed): ``rows`` labelled binary predictions -- labels, scores, 0/1
predictions at 0.5 -- with a segment of 20 values and a protected attribute of 4 groups.
Every tool gets the same numpy arrays, in one process, one after the other:

- **whole window**: each metric on all rows, Vigil's ``detectors.metrics`` function against
  the scikit-learn function a user would call;
- **per segment**: the same metric for each of the 20 segments (Vigil: boolean mask and
  ``MetricInput.take``; scikit-learn: the same masks);
- **fairness**: group sizes and rates of the 4 groups plus the five fairness metrics
  (Vigil: ``group_rates`` + ``FAIRNESS_METRICS``) against fairlearn's ``MetricFrame`` with
  the same rates and its ``demographic_parity_*`` / ``equal*_difference`` functions;
- **Vigil only**: the whole ``window_performance`` (default binary metrics, their
  confidence intervals with 200 bootstrap resamples, per segment and variant), and the
  encoding of the window's JSON values into arrays (``label_encoding.encode_binary``),
  which runs in Python per row.

Times are the best of ``--repeat`` runs (wall clock). Values are checked equal before timing.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np


def best(call: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def simulate(rows: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.3).astype(np.int64)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.2, rows), 0, 1)
    return {
        "y": y,
        "score": score,
        "pred": (score >= 0.5).astype(np.int64),
        "segment": rng.integers(0, 20, rows),
        "group": rng.choice(np.array(["a", "b", "c", "d"]), rows),
    }


def metric_pairs() -> list[tuple[str, Callable[[Any], Any], Callable[[dict[str, Any]], Any]]]:
    from sklearn import metrics as sk

    from detectors.metrics import METRICS

    def ours(name: str) -> Callable[[Any], Any]:
        return METRICS[name].compute

    return [
        ("accuracy", ours("accuracy"), lambda d: sk.accuracy_score(d["y"], d["pred"])),
        ("precision", ours("precision"), lambda d: sk.precision_score(d["y"], d["pred"])),
        ("recall", ours("recall"), lambda d: sk.recall_score(d["y"], d["pred"])),
        ("f1", ours("f1"), lambda d: sk.f1_score(d["y"], d["pred"])),
        ("f1_macro", ours("f1_macro"), lambda d: sk.f1_score(d["y"], d["pred"], average="macro")),
        ("roc_auc", ours("roc_auc"), lambda d: sk.roc_auc_score(d["y"], d["score"])),
        ("pr_auc", ours("pr_auc"), lambda d: sk.average_precision_score(d["y"], d["score"])),
        ("log_loss", ours("log_loss"), lambda d: sk.log_loss(d["y"], d["score"])),
        ("brier", ours("brier"), lambda d: sk.brier_score_loss(d["y"], d["score"])),
        ("cohen_kappa", ours("cohen_kappa"), lambda d: sk.cohen_kappa_score(d["y"], d["pred"])),
    ]


def fairness_ours(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> dict[str, Any]:
    from detectors.fairness import FAIRNESS_METRICS, group_rates

    rates = group_rates(y, pred, group)
    return {name: m.compute(rates) for name, m in FAIRNESS_METRICS.items()} | {"t": rates.table()}


def fairness_fairlearn(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> dict[str, Any]:
    from fairlearn import metrics as fl
    from sklearn.metrics import precision_score

    frame = fl.MetricFrame(
        metrics={"size": fl.count, "selection_rate": fl.selection_rate,
                 "tpr": fl.true_positive_rate, "fpr": fl.false_positive_rate,
                 "fnr": fl.false_negative_rate, "precision": precision_score},
        y_true=y, y_pred=pred, sensitive_features=group,
    )  # fmt: skip
    kw = {"sensitive_features": group}
    return {
        "demographic_parity_difference": fl.demographic_parity_difference(y, pred, **kw),
        "demographic_parity_ratio": fl.demographic_parity_ratio(y, pred, **kw),
        "equal_opportunity_difference": fl.equal_opportunity_difference(y, pred, **kw),
        "equalized_odds_difference": fl.equalized_odds_difference(y, pred, **kw),
        "predictive_parity_difference": frame.difference()["precision"],
        "t": frame.by_group,
    }


def window_of(d: dict[str, np.ndarray]) -> Any:
    from store.labelled import LabelledWindow

    n = len(d["y"])

    def objects(values: list[Any]) -> np.ndarray:
        array = np.empty(n, dtype=object)
        array[:] = values
        return array

    return LabelledWindow(
        predictions=n,
        label=objects(d["y"].tolist()),
        prediction=objects(d["pred"].tolist()),
        score=d["score"],
        variant=objects(["a" if s % 2 else "b" for s in d["segment"].tolist()]),
        segment=objects([{"region": f"r{s}"} for s in d["segment"].tolist()]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from detectors.label_encoding import encode_binary
    from detectors.metrics import MetricInput
    from detectors.performance import window_performance
    from detectors.performance_config import PerformanceConfig
    from store.specs import ModelSpec

    d = simulate(args.rows)
    data = MetricInput(d["y"], d["pred"], d["score"])
    masks = [d["segment"] == s for s in range(20)]
    print(f"{args.rows:,} labelled predictions, best of {args.repeat}\n")
    header = ["metric", "Vigil, window", "sklearn, window", "Vigil, 20 segs", "sklearn, 20 segs"]
    print("| " + " | ".join(header) + " |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, ours, theirs in metric_pairs():
        assert np.isclose(ours(data), theirs(d)), name
        arrays = {k: d[k] for k in ("y", "pred", "score")}
        ours_w = best(lambda ours=ours: ours(data), args.repeat)
        theirs_w = best(lambda theirs=theirs: theirs(d), args.repeat)
        ours_s = best(lambda ours=ours: [ours(data.take(m)) for m in masks], args.repeat)
        theirs_s = best(
            lambda theirs=theirs, arrays=arrays: [
                theirs({k: v[m] for k, v in arrays.items()}) for m in masks
            ],
            args.repeat,
        )
        print(f"| {name} | {ours_w * 1e3:.1f} ms | {theirs_w * 1e3:.1f} ms | "
              f"{ours_s * 1e3:.1f} ms | {theirs_s * 1e3:.1f} ms |")  # fmt: skip

    ours_f = fairness_ours(d["y"], d["pred"], d["group"])
    theirs_f = fairness_fairlearn(d["y"], d["pred"], d["group"])
    for name in ours_f:
        if name != "t":
            assert np.isclose(ours_f[name], theirs_f[name]), name
    args_f = (d["y"], d["pred"], d["group"])
    ours_t = best(lambda: fairness_ours(*args_f), args.repeat)
    theirs_t = best(lambda: fairness_fairlearn(*args_f), 1)
    print(f"| fairness: 4 groups' rates + 5 metrics | {ours_t * 1e3:.1f} ms | "
          f"fairlearn {theirs_t * 1e3:.1f} ms (1 run) | | |")  # fmt: skip
    from detectors.fairness import FAIRNESS_METRICS, group_rates
    from detectors.fairness.intervals import group_intervals, metric_intervals

    rates = group_rates(*args_f)
    ci_t = best(
        lambda: (
            metric_intervals(FAIRNESS_METRICS.values(), rates, np.random.default_rng(0), 200, 0.95),
            group_intervals(rates, 0.95),
        ),
        args.repeat,
    )
    print(f"| fairness intervals: 5 metrics x 200 stratified resamples + Wilson per group "
          f"| {ci_t * 1e3:.1f} ms | | | |")  # fmt: skip

    window = window_of(d)
    spec = ModelSpec.model_validate({"name": "m", "features": [{"name": "x", "type": "numeric"}]})
    config = PerformanceConfig(bootstrap_resamples=200)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    encode = best(lambda: encode_binary(window, 1, 0.5), 1)
    whole = best(
        lambda: window_performance(
            spec, window, end - timedelta(hours=1), end, config, np.random.default_rng(0)
        ),
        1,
    )
    print(f"\nVigil only: encode_binary of the window's JSON values {encode:.2f} s; "
          f"window_performance (6 metrics x (1 + 20 segments + 2 variants), "
          f"200-resample bootstrap where needed, encoding included) {whole:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
