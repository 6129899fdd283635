"""Precision, recall and F1: of the positive class (binary), or averaged over classes.

Averages follow scikit-learn: ``macro`` is the unweighted mean over classes, ``weighted``
the mean weighted by each class's support (its count in ``y_true``). A class with no
predictions has precision 0, and one with no labels recall 0, as scikit-learn's
``zero_division=0``; a window without any positive label or prediction gives
``NotComputable`` for the binary metric instead, since 0 would read as a real collapse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason
from detectors.metrics.confusion import confusion_matrix

Average = Literal["binary", "macro", "weighted"]
Kind = Literal["precision", "recall", "f1"]


def _divide(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def per_class(matrix: NDArray[np.int64], kind: Kind) -> NDArray[np.float64]:
    """The metric of every class, from a confusion matrix."""
    counts = matrix.astype(np.float64)
    tp = np.diag(counts)
    predicted, support = counts.sum(axis=0), counts.sum(axis=1)
    if kind == "precision":
        return _divide(tp, predicted)
    if kind == "recall":
        return _divide(tp, support)
    return _divide(2 * tp, predicted + support)


def score_from_matrix(matrix: NDArray[np.int64], kind: Kind, average: Average) -> MetricValue:
    """Precision, recall or F1 with the given average, from a confusion matrix: the whole
    metric is a function of it, so bootstrap intervals resample matrices, not rows."""
    if matrix.sum() == 0:
        return NotComputable("no labelled predictions")
    values = per_class(matrix, kind)
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    if average == "binary":
        if kind == "precision" and predicted[1] == 0:
            return NotComputable("no positive predictions in the window")
        if kind == "recall" and support[1] == 0:
            return NotComputable("no positive labels in the window")
        if kind == "f1" and support[1] + predicted[1] == 0:
            return NotComputable("no positive labels or predictions in the window")
        return float(values[1])
    if average == "macro":
        return float(np.mean(values[(support > 0) | (predicted > 0)]))
    return float(np.average(values, weights=support))


def classification_score(data: MetricInput, kind: Kind, average: Average) -> MetricValue:
    """Precision, recall or F1 with the given average."""
    if (reason := empty_reason(data)) is not None:
        return reason
    return score_from_matrix(confusion_matrix(data), kind, average)


def matrix_metric(kind: Kind, average: Average) -> Callable[[NDArray[np.int64]], MetricValue]:
    """The metric as a function of a confusion matrix (for multinomial bootstraps)."""
    return lambda matrix: score_from_matrix(matrix, kind, average)


def precision_trials(data: MetricInput) -> NDArray[np.float64]:
    """Per positive prediction, 1 when it is right: the trials precision is the share of."""
    return (data.y_true[data.y_pred == 1] == 1).astype(np.float64)


def recall_trials(data: MetricInput) -> NDArray[np.float64]:
    """Per positive label, 1 when it was predicted: the trials recall is the share of."""
    return (data.y_pred[data.y_true == 1] == 1).astype(np.float64)


def precision(data: MetricInput) -> MetricValue:
    return classification_score(data, "precision", "binary")


def recall(data: MetricInput) -> MetricValue:
    return classification_score(data, "recall", "binary")


def f1(data: MetricInput) -> MetricValue:
    return classification_score(data, "f1", "binary")


def f1_macro(data: MetricInput) -> MetricValue:
    return classification_score(data, "f1", "macro")


def f1_weighted(data: MetricInput) -> MetricValue:
    return classification_score(data, "f1", "weighted")


def precision_macro(data: MetricInput) -> MetricValue:
    return classification_score(data, "precision", "macro")


def recall_macro(data: MetricInput) -> MetricValue:
    return classification_score(data, "recall", "macro")
