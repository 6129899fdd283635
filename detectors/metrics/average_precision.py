"""Average precision (area under the precision-recall curve), as scikit-learn computes it.

``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct score thresholds, highest first: a
step function, not the optimistic trapezoid. Without positive labels there is no curve.
"""

from __future__ import annotations

import numpy as np

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason, scored


def average_precision(data: MetricInput) -> MetricValue:
    """PR AUC of the logged scores against the labels."""
    if (reason := empty_reason(data)) is not None:
        return reason
    found = scored(data)
    if isinstance(found, NotComputable):
        return found
    positives = int(np.sum(found.y_true == 1))
    if positives == 0:
        return NotComputable("PR AUC needs positive labels; the window has none")
    order = np.argsort(-found.score, kind="mergesort")
    score, y = found.score[order], (found.y_true[order] == 1).astype(np.float64)
    last_of_threshold = np.concatenate((np.flatnonzero(np.diff(score)), [len(score) - 1]))
    true_positives = np.cumsum(y)[last_of_threshold]
    predicted = last_of_threshold + 1.0
    precision = true_positives / predicted
    recall = true_positives / positives
    steps = np.diff(np.concatenate(([0.0], recall)))
    return float(np.sum(steps * precision))
