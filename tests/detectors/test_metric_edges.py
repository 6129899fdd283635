"""Metrics on awkward windows say why they have no value; they never raise."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.metrics import METRICS, MetricInput, NotComputable


def _binary(y_true: list[int], score: list[float]) -> MetricInput:
    scores = np.array(score, dtype=np.float64)
    return MetricInput(np.array(y_true), (scores >= 0.5).astype(np.int64), scores)


CASES = [
    ("roc_auc", _binary([1, 1, 1], [0.2, 0.6, 0.9]), "only positive labels"),
    ("roc_auc", _binary([0, 0], [0.2, 0.6]), "only negative labels"),
    ("roc_auc", _binary([0, 1], [np.nan, np.nan]), "no scores logged"),
    ("pr_auc", _binary([0, 0], [0.2, 0.6]), "needs positive labels"),
    ("log_loss", _binary([0, 1], [0.2, 1.6]), "not probabilities"),
    ("precision", _binary([0, 1], [0.1, 0.2]), "no positive predictions"),
    ("recall", _binary([0, 0], [0.1, 0.9]), "no positive labels"),
    ("accuracy", _binary([], []), "no labelled predictions"),
    ("r2", MetricInput(np.ones(3), np.arange(3.0), np.full(3, np.nan), 1), "all labels"),
]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    CASES,
    ids=[
        "ROC AUC of a window with only positive labels",
        "ROC AUC of a window with only negative labels",
        "ROC AUC without scores",
        "PR AUC without positive labels",
        "log loss of scores outside [0, 1]",
        "precision without positive predictions",
        "recall without positive labels",
        "accuracy of an empty window",
        "R2 of constant labels",
    ],
)
def test_an_awkward_window_is_not_computable_with_the_reason(
    name: str, data: MetricInput, reason: str
) -> None:
    result = METRICS[name].compute(data)
    assert isinstance(result, NotComputable)
    assert reason in result.reason


def test_score_metrics_ignore_rows_without_a_score() -> None:
    data = _binary([0, 1, 1, 0], [0.1, 0.9, np.nan, np.nan])
    assert METRICS["roc_auc"].compute(data) == 1.0
    assert METRICS["brier"].compute(data) == pytest.approx(0.01)
