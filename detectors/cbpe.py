"""Confidence-based performance estimation (CBPE, as NannyML does it) for binary models.

Without labels, a *calibrated* probability ``p`` of each prediction says how likely it is
to be a true positive (``p`` when predicted positive) or a false negative (``p`` when
predicted negative). Summing gives the **expected confusion matrix** of a window:

    TP = sum(p · ŷ)   FP = sum((1 - p) · ŷ)   FN = sum(p · (1 - ŷ))   TN = sum((1 - p)(1 - ŷ))

from which accuracy, precision, recall and F1 follow. ROC AUC is the area under the
*expected* ROC curve: thresholds at the distinct scores, highest first, with expected TPR
``cumsum(p) / sum(p)`` and FPR ``cumsum(1 - p) / sum(1 - p)`` (NannyML's
``estimate_roc_auc``). The estimates are right when the calibration learnt on the reference
still holds -- covariate shift is fine, concept drift (``P(y | x)`` changing) is not.

The sampling error of a window of ``n`` predictions is that of the realized metric on
reference chunks of ``chunk`` rows, scaled by ``sqrt(chunk / n)`` (see
:mod:`detectors.cbpe_reference`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from detectors.metrics import MetricValue, NotComputable

Probabilities = NDArray[np.float64]
Predicted = NDArray[np.int64]


def expected_confusion(p: Probabilities, y_pred: Predicted) -> tuple[float, float, float, float]:
    """Expected ``(TP, FP, FN, TN)`` of the window."""
    positive = y_pred == 1
    tp, fp = float(p[positive].sum()), float((1 - p[positive]).sum())
    fn, tn = float(p[~positive].sum()), float((1 - p[~positive]).sum())
    return tp, fp, fn, tn


def _ratio(num: float, den: float, reason: str) -> MetricValue:
    return num / den if den > 0 else NotComputable(reason)


def estimated_accuracy(p: Probabilities, y_pred: Predicted, score: Probabilities) -> MetricValue:
    tp, fp, fn, tn = expected_confusion(p, y_pred)
    return _ratio(tp + tn, tp + fp + fn + tn, "no predictions in the window")


def estimated_precision(p: Probabilities, y_pred: Predicted, score: Probabilities) -> MetricValue:
    tp, fp, _, _ = expected_confusion(p, y_pred)
    return _ratio(tp, tp + fp, "no positive predictions in the window")


def estimated_recall(p: Probabilities, y_pred: Predicted, score: Probabilities) -> MetricValue:
    tp, _, fn, _ = expected_confusion(p, y_pred)
    return _ratio(tp, tp + fn, "no expected positives in the window")


def estimated_f1(p: Probabilities, y_pred: Predicted, score: Probabilities) -> MetricValue:
    tp, fp, fn, _ = expected_confusion(p, y_pred)
    return _ratio(2 * tp, 2 * tp + fp + fn, "no positive predictions or expected positives")


def estimated_roc_auc(p: Probabilities, y_pred: Predicted, score: Probabilities) -> MetricValue:
    """Area under the expected ROC curve, thresholds at the distinct ``score`` values."""
    positives, negatives = float(p.sum()), float((1 - p).sum())
    if positives <= 0 or negatives <= 0:
        return NotComputable("every calibrated probability is 0 or 1: no expected ROC curve")
    order = np.argsort(-score, kind="mergesort")
    last = np.concatenate((np.flatnonzero(np.diff(score[order])), [len(score) - 1]))
    tpr = np.concatenate(([0.0], np.cumsum(p[order])[last] / positives))
    fpr = np.concatenate(([0.0], np.cumsum(1 - p[order])[last] / negatives))
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


Estimator = Callable[[Probabilities, Predicted, Probabilities], MetricValue]

#: The estimated metrics by name (the names of their realized counterparts).
ESTIMATORS: Mapping[str, Estimator] = MappingProxyType(
    {
        "accuracy": estimated_accuracy,
        "precision": estimated_precision,
        "recall": estimated_recall,
        "f1": estimated_f1,
        "roc_auc": estimated_roc_auc,
    }
)
