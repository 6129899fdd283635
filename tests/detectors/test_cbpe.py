"""CBPE: estimates from calibrated probabilities track realized performance without labels."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from numpy.typing import NDArray
from sqlalchemy import Engine

from detectors.cbpe import ESTIMATORS, estimated_roc_auc, expected_confusion
from detectors.cbpe_reference import CbpeReference, load_cbpe_reference
from detectors.errors import ReferenceColumnMissing
from detectors.estimated_performance_job import estimated_performance_job
from detectors.metrics import METRICS, MetricInput
from detectors.performance_config import EstimatedPerformanceConfig
from store.predictions import insert_predictions
from store.signals import signal_history
from store.specs import ModelSpec


def simulate(n: int, shift: float, seed: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """A model whose concept never changes (``P(y | x)`` fixed) and whose scores are a
    monotone, miscalibrated transform of the true probability; ``shift`` moves ``x``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(shift, 1, n)
    p = 1 / (1 + np.exp(-(2 * x - 1)))
    return p**1.5, (rng.random(n) < p).astype(np.int64)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> CbpeReference:
    score, label = simulate(20_000, 0.0, seed=1)
    path = tmp_path_factory.mktemp("cbpe") / "reference.csv"
    pacsv.write_csv(pa.table({"score": score, "label": label}), path)
    return load_cbpe_reference(path, "score", "label", 1, 0.5, chunk=500)


def test_the_expected_confusion_matrix_sums_probabilities_by_prediction() -> None:
    p = np.array([0.9, 0.2, 0.6, 0.1])
    assert expected_confusion(p, np.array([1, 1, 0, 0])) == pytest.approx((1.1, 0.9, 0.7, 1.3))


def test_with_certain_probabilities_the_estimated_auc_is_the_realized_one() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(500) < 0.3).astype(np.int64)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.2, 500), 0, 1)
    expected = METRICS["roc_auc"].compute(MetricInput(y, y, score))
    assert estimated_roc_auc(y.astype(np.float64), y, score) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("shift", "seed"),
    [(0.0, 2), (0.0, 3), (1.0, 2), (1.0, 3), (-1.0, 2), (-1.0, 3)],
    ids=[
        "no shift, sample 1", "no shift, sample 2",
        "covariate shift up, sample 1", "covariate shift up, sample 2",
        "covariate shift down, sample 1", "covariate shift down, sample 2",
    ],
)  # fmt: skip
def test_every_estimate_is_within_the_sampling_band_of_the_realized_metric(
    reference: CbpeReference, shift: float, seed: int
) -> None:
    score, y = simulate(2000, shift, seed)
    y_pred = (score >= 0.5).astype(np.int64)
    p = reference.calibrate(score)
    for name, estimate in ESTIMATORS.items():
        realized = METRICS[name].compute(MetricInput(y, y_pred, score))
        error = reference.sampling_error(name, len(y))
        assert isinstance(realized, float) and error is not None
        assert abs(estimate(p, y_pred, score) - realized) <= 3 * error, name  # type: ignore[operator]


def test_under_covariate_shift_the_estimate_follows_realized_recall_away_from_the_reference(
    reference: CbpeReference,
) -> None:
    score, y = simulate(2000, 1.0, seed=5)
    y_pred = (score >= 0.5).astype(np.int64)
    realized = METRICS["recall"].compute(MetricInput(y, y_pred, score))
    estimate = ESTIMATORS["recall"](reference.calibrate(score), y_pred, score)
    error = reference.sampling_error("recall", 2000)
    assert isinstance(realized, float) and isinstance(estimate, float) and error is not None
    assert realized - reference.chunk_mean["recall"] > 10 * error
    assert abs(estimate - realized) < 3 * error


SPEC = ModelSpec.model_validate(
    {"name": "churn", "features": [{"name": "x", "type": "numeric"}],
     "reference": {"path": "reference.csv"}}
)  # fmt: skip
CONFIG = EstimatedPerformanceConfig(
    interval="1h", window="1h", label_column="churned", metrics={"roc_auc": {"min": 0.9}, "f1": {}}
)


def test_the_job_stores_estimates_with_their_band_and_breaches_below_the_bound(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    score, label = simulate(5000, 0.0, seed=1)
    pacsv.write_csv(pa.table({"score": score, "churned": label}), tmp_path / "reference.csv")
    window_score, _ = simulate(1000, 0.0, seed=6)
    insert_predictions(engine, [
        {"model": "churn", "version": "v1", "request_id": f"r{i}", "features": {"x": 0.0},
         "ts": t0 - timedelta(seconds=3 * i + 1), "score": float(s), "prediction": None,
         "received_at": t0}
        for i, s in enumerate(window_score)
    ])  # fmt: skip
    job = estimated_performance_job(engine, (SPEC,), CONFIG, lambda path: tmp_path / path)
    job.run(t0 + timedelta(minutes=5))
    stored = {
        s.signal.subject: s.signal for s in signal_history(engine, "churn", "estimated_performance")
    }
    auc = stored["roc_auc"]
    assert auc.status == "breach" and auc.threshold == 0.9 and auc.sample_size == 1000
    assert auc.details["band"]["low"] < auc.value < auc.details["band"]["high"]  # type: ignore[operator]
    assert stored["f1"].status == "ok" and stored["f1"].details["sampling_error"] > 0


def test_a_reference_without_the_label_column_gives_not_computable_signals_saying_so(
    engine: Engine, t0: datetime, tmp_path: Path
) -> None:
    pacsv.write_csv(pa.table({"score": [0.1, 0.9]}), tmp_path / "reference.csv")
    job = estimated_performance_job(engine, (SPEC,), CONFIG, lambda path: tmp_path / path)
    found = job.run(t0)
    assert [s.status for s in found] == ["not_computable"] * 2
    assert "column 'churned' is missing" in str(found[0].details["reason"])
    with pytest.raises(ReferenceColumnMissing):
        load_cbpe_reference(tmp_path / "reference.csv", "score", "churned", 1, 0.5, 500)
