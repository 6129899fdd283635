"""Area under the ROC curve of binary scores, by the Mann-Whitney rank statistic.

AUC is the probability that a random positive scores above a random negative (ties count
one half), equal to scikit-learn's trapezoidal ``roc_auc_score``. A window with labels of
one class only has no ROC curve: it is ``NotComputable`` with that reason, never an error.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason, scored


def midranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """1-based ranks of ``values``, tied values sharing the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    boundaries = np.flatnonzero(np.diff(ordered)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(values)]))
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    return ranks


def auc_from_scores(y_true: NDArray[np.generic], score: NDArray[np.float64]) -> MetricValue:
    """AUC of ``score`` for 0/1 ``y_true``, or why there is none."""
    positives = int(np.sum(y_true == 1))
    negatives = len(y_true) - positives
    if positives == 0 or negatives == 0:
        only = "negative" if positives == 0 else "positive"
        return NotComputable(f"ROC AUC needs both classes; the window has only {only} labels")
    rank_sum = float(midranks(score)[y_true == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def roc_auc(data: MetricInput) -> MetricValue:
    """ROC AUC of the logged scores against the labels."""
    if (reason := empty_reason(data)) is not None:
        return reason
    found = scored(data)
    if isinstance(found, NotComputable):
        return found
    return auc_from_scores(found.y_true, found.score)
