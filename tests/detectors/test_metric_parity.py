"""Every performance metric equals scikit-learn's on the same data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn import metrics as sk
from sklearn.calibration import calibration_curve

from detectors.metrics import METRICS, MetricInput
from detectors.metrics.confusion import confusion_matrix


def binary_data(n: int = 2000, seed: int = 7, ties: bool = False) -> MetricInput:
    rng = np.random.default_rng(seed)
    y_true = (rng.random(n) < 0.3).astype(np.int64)
    score = np.clip(0.3 * y_true + rng.normal(0.35, 0.2, n), 0, 1)
    if ties:
        score = np.round(score, 1)
    return MetricInput(y_true, (score >= 0.5).astype(np.int64), score)


def multiclass_data(n: int = 1500, seed: int = 3) -> MetricInput:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 4, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, 4, n))
    return MetricInput(y_true, y_pred, np.full(n, np.nan), n_classes=4)


def regression_data(n: int = 1000, seed: int = 11) -> MetricInput:
    rng = np.random.default_rng(seed)
    y_true = rng.gamma(2.0, 50.0, n)
    return MetricInput(y_true, y_true * 1.05 + rng.normal(0, 10, n), np.full(n, np.nan), 1)


def sklearn_ece(d: MetricInput) -> float:
    prob_true, prob_pred = calibration_curve(d.y_true, d.score, n_bins=10, strategy="uniform")
    binids = np.searchsorted(np.linspace(0, 1, 11)[1:-1], d.score)  # calibration_curve's bins
    counts = np.bincount(binids, minlength=10)
    counts = counts[counts > 0]
    return float(np.sum(counts * np.abs(prob_true - prob_pred)) / counts.sum())


Reference = Callable[[MetricInput], Any]
BINARY: list[tuple[str, Reference]] = [
    ("accuracy", lambda d: sk.accuracy_score(d.y_true, d.y_pred)),
    ("precision", lambda d: sk.precision_score(d.y_true, d.y_pred)),
    ("recall", lambda d: sk.recall_score(d.y_true, d.y_pred)),
    ("f1", lambda d: sk.f1_score(d.y_true, d.y_pred)),
    ("f1_macro", lambda d: sk.f1_score(d.y_true, d.y_pred, average="macro")),
    ("f1_weighted", lambda d: sk.f1_score(d.y_true, d.y_pred, average="weighted")),
    ("roc_auc", lambda d: sk.roc_auc_score(d.y_true, d.score)),
    ("pr_auc", lambda d: sk.average_precision_score(d.y_true, d.score)),
    ("log_loss", lambda d: sk.log_loss(d.y_true, d.score)),
    ("brier", lambda d: sk.brier_score_loss(d.y_true, d.score)),
    ("ece", sklearn_ece),
]
MULTICLASS: list[tuple[str, Reference]] = [
    ("accuracy", lambda d: sk.accuracy_score(d.y_true, d.y_pred)),
    ("precision_macro", lambda d: sk.precision_score(d.y_true, d.y_pred, average="macro")),
    ("recall_macro", lambda d: sk.recall_score(d.y_true, d.y_pred, average="macro")),
    ("f1_macro", lambda d: sk.f1_score(d.y_true, d.y_pred, average="macro")),
    ("f1_weighted", lambda d: sk.f1_score(d.y_true, d.y_pred, average="weighted")),
]
REGRESSION: list[tuple[str, Reference]] = [
    ("mae", lambda d: sk.mean_absolute_error(d.y_true, d.y_pred)),
    ("rmse", lambda d: sk.root_mean_squared_error(d.y_true, d.y_pred)),
    ("mape", lambda d: sk.mean_absolute_percentage_error(d.y_true, d.y_pred)),
    ("r2", lambda d: sk.r2_score(d.y_true, d.y_pred)),
    ("mean_error", lambda d: float(np.mean(d.y_pred - d.y_true))),
]


@pytest.mark.parametrize(
    ("name", "reference"), BINARY, ids=[f"binary {n} equals scikit-learn" for n, _ in BINARY]
)
def test_binary_metric_equals_scikit_learn(name: str, reference: Reference) -> None:
    for data in (binary_data(), binary_data(ties=True)):
        assert METRICS[name].compute(data) == pytest.approx(reference(data), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "reference"),
    MULTICLASS,
    ids=[f"multiclass {n} equals scikit-learn" for n, _ in MULTICLASS],
)
def test_multiclass_metric_equals_scikit_learn(name: str, reference: Reference) -> None:
    data = multiclass_data()
    assert METRICS[name].compute(data) == pytest.approx(reference(data), rel=1e-12)


@pytest.mark.parametrize(
    ("name", "reference"),
    REGRESSION,
    ids=[f"regression {n} equals scikit-learn" for n, _ in REGRESSION],
)
def test_regression_metric_equals_scikit_learn(name: str, reference: Reference) -> None:
    data = regression_data()
    assert METRICS[name].compute(data) == pytest.approx(reference(data), rel=1e-12)


def test_the_confusion_matrix_has_scikit_learns_layout() -> None:
    for data in (binary_data(), multiclass_data()):
        expected = sk.confusion_matrix(data.y_true, data.y_pred, labels=range(data.n_classes))
        assert confusion_matrix(data).tolist() == expected.tolist()


def test_macro_averages_skip_a_class_neither_labelled_nor_predicted_as_scikit_learn_does() -> None:
    data = multiclass_data()
    data = data.take((data.y_true != 2) & (data.y_pred != 2))
    expected = sk.f1_score(data.y_true, data.y_pred, average="macro")
    assert METRICS["f1_macro"].compute(data) == pytest.approx(expected, rel=1e-12)
