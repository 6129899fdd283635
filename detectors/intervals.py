"""Confidence intervals of performance metrics: analytic where standard, else bootstrap.

Which one a metric gets is part of its record (:class:`detectors.metrics.base.Metric`):

- ``wilson``: the Wilson score interval of a proportion (accuracy over all rows, precision
  over positive predictions, recall over positive labels);
- ``mean``: ``mean ± z·sd/sqrt(n)`` of the per-row values the metric averages (MAE, log
  loss, Brier...);
- ``hanley_mcneil``: ROC AUC's standard error after Hanley & McNeil (1982);
- ``kappa``: Cohen's kappa ``± z·ASE``, the asymptotic standard error of Fleiss, Cohen &
  Everitt (1969) (:func:`detectors.metrics.agreement.kappa_standard_error`);
- ``bootstrap``: the percentile interval over ``resamples`` resamples of the rows, drawn
  from the ``numpy.random.Generator`` passed in (seed it for reproducible signals). For
  metrics that are a function of the confusion matrix (F1 and the macro averages), a row
  resample is the same thing as a multinomial draw of the matrix's cells, which is what is
  drawn: the cost no longer grows with the window. Resamples
  where the metric is not computable (one class drawn) are skipped; with fewer than half
  computable, there is no interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from detectors.metrics.agreement import kappa_standard_error
from detectors.metrics.base import Metric, MetricInput, MetricValue, NotComputable, scored
from detectors.metrics.confusion import confusion_matrix


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval and how it was computed."""

    low: float
    high: float
    level: float
    method: str


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def wilson(proportion: float, n: int, level: float) -> Interval:
    z = _z(level)
    centre = (proportion + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(centre - half, centre + half, level, "wilson")


def hanley_mcneil(auc: float, positives: int, negatives: int, level: float) -> Interval:
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    half = _z(level) * math.sqrt(max(variance, 0.0))
    return Interval(max(auc - half, 0.0), min(auc + half, 1.0), level, "hanley_mcneil")


def kappa(value: float, matrix: np.ndarray, level: float) -> Interval | None:
    """Cohen's kappa ``± z·ASE``, clipped to ``[-1, 1]``; None without a standard error."""
    error = kappa_standard_error(matrix)
    if error is None:
        return None
    half = _z(level) * error
    return Interval(max(value - half, -1.0), min(value + half, 1.0), level, "kappa")


def bootstrap(
    metric: Metric, data: MetricInput, rng: np.random.Generator, resamples: int, level: float
) -> Interval | None:
    n = len(data)
    draws: list[MetricValue]
    if metric.from_matrix is not None:
        cells = confusion_matrix(data)
        shape = cells.shape
        matrices = rng.multinomial(n, cells.ravel() / n, size=resamples)
        draws = [metric.from_matrix(m.reshape(shape)) for m in matrices]
    else:
        draws = [metric.compute(data.take(rng.integers(0, n, size=n))) for _ in range(resamples)]
    values = [v for v in draws if not isinstance(v, NotComputable)]
    if len(values) < resamples / 2:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Interval(float(low), float(high), level, "bootstrap")


def interval(
    metric: Metric,
    value: float,
    data: MetricInput,
    rng: np.random.Generator,
    resamples: int,
    level: float,
) -> Interval | None:
    """The confidence interval of ``metric``, whose value on ``data`` is ``value``."""
    if len(data) < 2:
        return None
    if metric.interval == "wilson" and metric.per_row is not None:
        trials = len(metric.per_row(data))
        return wilson(value, trials, level) if trials else None
    if metric.interval == "hanley_mcneil":
        found = scored(data)
        if isinstance(found, NotComputable):
            return None
        positives = int(np.sum(found.y_true == 1))
        return hanley_mcneil(value, positives, len(found) - positives, level)
    if metric.interval == "kappa":
        return kappa(value, confusion_matrix(data), level)
    if metric.interval == "mean" and metric.per_row is not None:
        rows = metric.per_row(data)
        if len(rows) < 2:
            return None
        half = _z(level) * float(np.std(rows, ddof=1)) / math.sqrt(len(rows))
        return Interval(value - half, value + half, level, "mean")
    if resamples <= 0:
        return None
    return bootstrap(metric, data, rng, resamples, level)
