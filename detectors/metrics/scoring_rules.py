"""Proper scoring rules of binary probabilities: log loss and the Brier score.

Both are means of a per-row loss, so their confidence interval is the normal one of a mean
(:mod:`detectors.intervals`). Log loss clips probabilities to ``[eps, 1 - eps]`` with
float64's machine epsilon, as scikit-learn does.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason, scored

_EPS = float(np.finfo(np.float64).eps)


def log_losses(data: MetricInput) -> NDArray[np.float64]:
    """Per-row negative log-likelihood of the label under the score."""
    p = np.clip(data.score, _EPS, 1 - _EPS)
    return np.where(data.y_true == 1, -np.log(p), -np.log1p(-p))


def brier_losses(data: MetricInput) -> NDArray[np.float64]:
    """Per-row squared error of the score against the 0/1 label."""
    return (data.score - (data.y_true == 1)) ** 2


def scored_log_losses(data: MetricInput) -> NDArray[np.float64]:
    """Per-row log losses of the scored rows (for the mean's interval)."""
    found = scored(data)
    return np.empty(0) if isinstance(found, NotComputable) else log_losses(found)


def scored_brier_losses(data: MetricInput) -> NDArray[np.float64]:
    """Per-row Brier losses of the scored rows (for the mean's interval)."""
    found = scored(data)
    return np.empty(0) if isinstance(found, NotComputable) else brier_losses(found)


def log_loss(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    found = scored(data)
    return found if isinstance(found, NotComputable) else float(np.mean(log_losses(found)))


def brier(data: MetricInput) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    found = scored(data)
    return found if isinstance(found, NotComputable) else float(np.mean(brier_losses(found)))
