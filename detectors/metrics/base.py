"""What every performance metric shares: its input, its result, its metadata record.

A metric is a pure function of a :class:`MetricInput` returning a float, or a
:class:`NotComputable` saying why there is no value (a single-class window for ROC AUC, no
scores for log loss...). Metrics never raise for awkward data.

Conventions of :class:`MetricInput`:

- binary classification: ``y_true`` and ``y_pred`` are 0/1 ``int64``, 1 the positive class;
  ``score`` is the predicted probability of the positive class (NaN where not logged);
- multiclass classification: ``y_true`` and ``y_pred`` are class codes ``0..n_classes-1``;
- regression: ``y_true`` and ``y_pred`` are ``float64``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Task = Literal["binary_classification", "multiclass_classification", "regression", "ranking"]
#: How a metric's confidence interval is computed (see :mod:`detectors.intervals`).
IntervalKind = Literal["wilson", "mean", "hanley_mcneil", "kappa", "bootstrap"]


@dataclass(frozen=True)
class MetricInput:
    """One window's (or one group's) labelled predictions, as arrays of equal length."""

    y_true: NDArray[np.generic]
    y_pred: NDArray[np.generic]
    score: NDArray[np.float64]
    n_classes: int = 2

    def __len__(self) -> int:
        return len(self.y_true)

    def take(self, index: NDArray[np.intp] | NDArray[np.bool_]) -> MetricInput:
        """The rows at ``index`` (a bootstrap resample or a group's mask)."""
        y_true, y_pred, score = self.y_true[index], self.y_pred[index], self.score[index]
        return MetricInput(y_true, y_pred, score, self.n_classes)


@dataclass(frozen=True)
class NotComputable:
    """A metric has no value on this data, and why (stored in the signal's details)."""

    reason: str


MetricValue = float | NotComputable


@dataclass(frozen=True)
class Metric:
    """A metric's metadata record and its function."""

    name: str
    tasks: frozenset[Task]
    compute: Callable[[MetricInput], MetricValue]
    higher_is_better: bool
    interval: IntervalKind
    description: str
    #: For ``mean`` and ``wilson`` intervals: the per-row values (0/1 outcomes of the
    #: trials, for a proportion) the metric is the mean of.
    per_row: Callable[[MetricInput], NDArray[np.float64]] | None = None
    #: For ``bootstrap`` intervals of metrics that are a function of the confusion matrix:
    #: that function, so a resample is a multinomial draw of the matrix, not of the rows.
    from_matrix: Callable[[NDArray[np.int64]], MetricValue] | None = None


def empty_reason(data: MetricInput) -> NotComputable | None:
    """The reason a metric cannot be computed on an empty input, or None."""
    return NotComputable("no labelled predictions") if len(data) == 0 else None


def scored(data: MetricInput) -> MetricInput | NotComputable:
    """The rows with a finite score in [0, 1], or why a score-based metric has no value."""
    keep = np.isfinite(data.score)
    if not keep.any():
        return NotComputable("no scores logged with the labelled predictions")
    data = data.take(keep)
    if data.score.min() < 0 or data.score.max() > 1:
        return NotComputable("scores are not probabilities in [0, 1]")
    return data
