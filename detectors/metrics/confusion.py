"""The confusion matrix and accuracy, for binary and multiclass classification."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, empty_reason


def confusion_matrix(data: MetricInput) -> NDArray[np.int64]:
    """Counts ``[true class, predicted class]``, ``n_classes`` square (sklearn's layout)."""
    k = data.n_classes
    flat = data.y_true.astype(np.int64) * k + data.y_pred.astype(np.int64)
    return np.bincount(flat, minlength=k * k).reshape(k, k).astype(np.int64)


def correct(data: MetricInput) -> NDArray[np.float64]:
    """Per row, 1 when the prediction is right: the trials accuracy is the share of."""
    return (data.y_true == data.y_pred).astype(np.float64)


def accuracy(data: MetricInput) -> MetricValue:
    """Share of predictions equal to the label."""
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.mean(data.y_true == data.y_pred))
