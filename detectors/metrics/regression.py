"""Regression errors: MAE, RMSE, MAPE, R² and mean error (bias), as scikit-learn defines them.

``mean_error`` is ``mean(y_pred - y_true)``: positive when the model over-predicts. MAPE
divides by ``max(|y_true|, eps)`` as scikit-learn does, and is a fraction (0.1 = 10 %).
R² of a window whose labels are all equal is ``NotComputable``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason

_EPS = float(np.finfo(np.float64).eps)


def errors(data: MetricInput) -> NDArray[np.float64]:
    """Per-row ``y_pred - y_true``."""
    return data.y_pred.astype(np.float64) - data.y_true.astype(np.float64)


def absolute_percentage_errors(data: MetricInput) -> NDArray[np.float64]:
    truth = data.y_true.astype(np.float64)
    return np.abs(errors(data)) / np.maximum(np.abs(truth), _EPS)


def absolute_errors(data: MetricInput) -> NDArray[np.float64]:
    return np.abs(errors(data))


def mae(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.mean(np.abs(errors(data))))


def rmse(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.sqrt(np.mean(errors(data) ** 2)))


def mape(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.mean(absolute_percentage_errors(data)))


def mean_error(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    return float(np.mean(errors(data)))


def r2(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    truth = data.y_true.astype(np.float64)
    total = float(np.sum((truth - truth.mean()) ** 2))
    if total == 0:
        return NotComputable("R² needs labels that vary; all labels in the window are equal")
    return 1.0 - float(np.sum(errors(data) ** 2)) / total
