"""Confidence intervals on fairness metrics: per-group Wilson intervals of each rate, and a
seeded stratified bootstrap of each metric over the groups large enough to be compared."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from sqlalchemy import Engine
from statsmodels.stats.proportion import proportion_confint

from detectors.fairness import FAIRNESS_METRICS, group_rates
from detectors.fairness.intervals import group_intervals, metric_intervals, resampled_counts
from detectors.fairness_job import FairnessRunner
from detectors.performance_config import FairnessConfig
from store.predictions import insert_labels, insert_predictions
from store.signals import signal_history
from store.specs import ModelSpec

DPD = FAIRNESS_METRICS["demographic_parity_difference"]
DPR = FAIRNESS_METRICS["demographic_parity_ratio"]


def sample(
    n: int, seed: int, rates: tuple[float, float] = (0.5, 0.35)
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.str_]]:
    """Two groups of equal expected size selected at ``rates``; labels at 40%."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b"], n)
    y_true = (rng.random(n) < 0.4).astype(np.int64)
    y_pred = (rng.random(n) < np.where(group == "a", rates[0], rates[1])).astype(np.int64)
    return y_true, y_pred, group


def test_group_intervals_are_statsmodels_wilson_intervals_of_each_rate() -> None:
    y_true, y_pred, group = sample(700, seed=1)
    rates = group_rates(y_true, y_pred, group)
    found = group_intervals(rates, 0.9)
    for g in ("a", "b"):
        mask = group == g
        truth, pred = y_true[mask] == 1, y_pred[mask] == 1
        trials = {
            "selection_rate": (pred.sum(), mask.sum()),
            "tpr": ((truth & pred).sum(), truth.sum()),
            "fpr": ((~truth & pred).sum(), (~truth).sum()),
            "fnr": ((truth & ~pred).sum(), truth.sum()),
            "precision": ((truth & pred).sum(), pred.sum()),
        }
        for rate, (hits, n) in trials.items():
            low, high = proportion_confint(hits, n, alpha=0.1, method="wilson")
            assert found[g][rate] == pytest.approx([low, high], rel=1e-12), (g, rate)


def test_a_rate_without_a_denominator_has_no_interval() -> None:
    rates = group_rates(
        np.array([0, 0, 1, 1]), np.array([0, 0, 1, 0]), np.array(["a", "a", "b", "b"])
    )
    found = group_intervals(rates, 0.95)
    assert found["a"]["tpr"] is None and found["a"]["precision"] is None
    assert found["b"]["tpr"] is not None


def test_each_resample_keeps_the_group_sizes_fixed() -> None:
    y_true, y_pred, group = sample(500, seed=2)
    rates = group_rates(y_true, y_pred, group)
    assert rates.counts is not None
    draws = resampled_counts(rates.counts, np.random.default_rng(0), 50)
    assert draws.shape == (50, 2, 4)
    assert (draws.sum(axis=2) == rates.size).all()
    assert len({tuple(d.ravel()) for d in draws}) > 40  # real resamples, not copies


def test_the_interval_brackets_the_value_and_is_reproducible_with_the_seed() -> None:
    y_true, y_pred, group = sample(2000, seed=3)
    rates = group_rates(y_true, y_pred, group)
    first = metric_intervals([DPD, DPR], rates, np.random.default_rng(7), 300, 0.95)
    again = metric_intervals([DPD, DPR], rates, np.random.default_rng(7), 300, 0.95)
    assert first == again
    for metric in (DPD, DPR):
        found = first[metric.name]
        assert found is not None and found.method == "stratified_bootstrap"
        assert found.low < metric.compute(rates) < found.high  # type: ignore[operator]


def test_the_interval_narrows_about_as_one_over_the_square_root_of_n() -> None:
    widths = []
    for n in (1000, 16000):
        rates = group_rates(*sample(n, seed=4))
        found = metric_intervals([DPD], rates, np.random.default_rng(0), 400, 0.95)[DPD.name]
        assert found is not None
        widths.append(found.high - found.low)
    assert widths[0] / widths[1] == pytest.approx(4.0, rel=0.2)


def test_ninety_five_percent_intervals_cover_the_true_difference_about_95_percent_of_the_time() -> (
    None
):
    true_difference = 0.5 - 0.35
    covered = 0
    for seed in range(200):
        rates = group_rates(*sample(600, seed=100 + seed))
        found = metric_intervals([DPD], rates, np.random.default_rng(seed), 200, 0.95)[DPD.name]
        assert found is not None
        covered += found.low <= true_difference <= found.high
    assert 0.89 <= covered / 200 <= 0.99


def test_with_fewer_than_two_groups_or_no_resamples_there_is_no_interval() -> None:
    y_true, y_pred, group = sample(400, seed=5)
    rates = group_rates(y_true, y_pred, group)
    one = rates.keep(np.array([True, False]))
    assert metric_intervals([DPD], one, np.random.default_rng(0), 100, 0.95) == {DPD.name: None}
    assert metric_intervals([DPD], rates, np.random.default_rng(0), 0, 0.95) == {DPD.name: None}


SPEC = ModelSpec.model_validate(
    {"name": "loans", "features": [{"name": "sex", "type": "categorical"}], "protected": ["sex"]}
)


def traffic(t0: datetime, n: int, rare: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Approvals favouring ``m``; ``rare`` predictions of a tiny group ``x`` too."""
    rng = np.random.default_rng(12)
    sex = np.array([*rng.choice(["f", "m"], n - rare), *(["x"] * rare)])
    approve = rng.random(n) < np.where(sex == "m", 0.6, 0.4)
    y_true = rng.random(n) < 0.4
    predictions = [
        {"model": "loans", "version": "v1", "request_id": f"r{i}", "received_at": t0,
         "ts": t0 - timedelta(seconds=3000 * (i + 1) / n), "features": {"sex": str(sex[i])},
         "prediction": bool(approve[i]), "score": None}
        for i in range(n)
    ]  # fmt: skip
    labels = [
        {"model": "loans", "request_id": f"r{i}", "label": int(y_true[i]), "ts": t0,
         "received_at": t0}
        for i in range(n)
    ]  # fmt: skip
    return predictions, labels


def test_the_job_stores_intervals_over_the_compared_groups_only_and_re_runs_identically(
    engine: Engine, t0: datetime
) -> None:
    predictions, labels = traffic(t0, 1200, rare=12)
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    config = FairnessConfig.model_validate(
        {"interval": "1h", "window": "1h", "reevaluate": 1, "min_group_size": 30}
    )
    first = {s.subject: s for s in FairnessRunner(engine, (SPEC,), config)(t0)}
    again = {s.subject: s for s in FairnessRunner(engine, (SPEC,), config)(t0)}
    assert {k: s.details for k, s in first.items()} == {k: s.details for k, s in again.items()}
    stored = {s.signal.subject: s.signal for s in signal_history(engine, "loans", "fairness")}
    ratio = stored["demographic_parity_ratio/sex"]
    assert ratio.details["small_groups"] == ["x"]
    assert set(ratio.details["group_intervals"]) == {"f", "m"}  # the small group is left out
    low, high = ratio.details["group_intervals"]["m"]["selection_rate"]
    assert low < ratio.details["groups"]["m"]["selection_rate"] < high
    interval = ratio.details["interval"]
    assert interval["method"] == "stratified_bootstrap" and interval["level"] == 0.95
    assert interval["low"] < ratio.value < interval["high"]  # type: ignore[operator]
    # The interval is the bootstrap of f and m alone: the same as without the x rows at all.
    rows = [p["features"]["sex"] != "x" for p in predictions]
    y_true = np.array([lab["label"] for lab, keep in zip(labels, rows, strict=True) if keep])
    y_pred = np.array(
        [int(p["prediction"]) for p, keep in zip(predictions, rows, strict=True) if keep]
    )
    group = np.array(
        [p["features"]["sex"] for p, keep in zip(predictions, rows, strict=True) if keep]
    )
    rng = np.random.default_rng([config.seed, int(t0.timestamp())])
    chosen = [FAIRNESS_METRICS[name] for name in config.metrics]
    expected = metric_intervals(chosen, group_rates(y_true, y_pred, group), rng, 200, 0.95)
    assert expected[DPR.name] is not None
    assert interval["low"] == pytest.approx(expected[DPR.name].low)  # type: ignore[union-attr]
    assert interval["high"] == pytest.approx(expected[DPR.name].high)  # type: ignore[union-attr]


def test_without_resamples_the_job_stores_no_metric_interval_but_group_intervals(
    engine: Engine, t0: datetime
) -> None:
    predictions, labels = traffic(t0, 600, rare=0)
    insert_predictions(engine, predictions)
    insert_labels(engine, labels)
    config = FairnessConfig.model_validate(
        {"interval": "1h", "window": "1h", "reevaluate": 1, "bootstrap_resamples": 0}
    )
    [ratio] = [s for s in FairnessRunner(engine, (SPEC,), config)(t0) if s.metric == DPR.name]
    assert ratio.details["interval"] is None
    assert ratio.details["group_intervals"]["f"]["selection_rate"] is not None
