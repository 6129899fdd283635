"""Realized performance of one window: metrics of the labelled predictions, as signals.

:func:`window_performance` is a pure function of a model spec, a window's labelled
predictions (:class:`store.labelled.LabelledWindow`), the config and a seeded random
generator (for bootstrap intervals). It returns one signal per metric for the whole window
(subject ``<metric>``) and per group (subject ``<metric>/<key>=<value>`` for segment keys,
``<metric>/variant=<arm>`` for experiment arms). Each signal's details hold the label
coverage, the confidence interval and the bound; the accuracy signal also holds the
confusion matrix. Fewer than ``min_labels`` usable labelled predictions, or a metric without
a value on the data (ROC AUC of a single-class window), give ``not_computable`` with the
reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.intervals import interval
from detectors.label_encoding import (
    Encoded,
    encode_binary,
    encode_multiclass,
    encode_ranking,
    encode_regression,
)
from detectors.metrics import DEFAULT_METRICS, Metric, MetricInput, NotComputable, resolve
from detectors.metrics.confusion import confusion_matrix
from detectors.performance_config import MetricBound, PerformanceConfig
from store.labelled import LabelledWindow
from store.records import Signal, SignalStatus
from store.specs import ModelSpec

DETECTOR = "performance"
SUPPORTED_TASKS = frozenset(DEFAULT_METRICS)


def encode(spec: ModelSpec, window: LabelledWindow, config: PerformanceConfig) -> Encoded:
    """The window's usable rows as metric arrays, by the model's task."""
    if spec.task == "binary_classification":
        return encode_binary(window, config.positive_label, config.decision_threshold)
    if spec.task == "multiclass_classification":
        return encode_multiclass(window)
    if spec.task == "regression":
        return encode_regression(window)
    if spec.task == "ranking":
        return encode_ranking(window)
    raise ValueError(f"realized performance does not support task {spec.task!r}")


def chosen_metrics(spec: ModelSpec, config: PerformanceConfig) -> list[tuple[Metric, MetricBound]]:
    """The configured metrics that apply to the model's task, or the task's defaults."""
    names = list(config.metrics) or list(DEFAULT_METRICS[spec.task])
    found = [(resolve(name), config.metrics.get(name, MetricBound())) for name in names]
    return [(m, bound) for m, bound in found if m is not None and spec.task in m.tasks]


def groups(
    window: LabelledWindow, rows: NDArray[np.intp], config: PerformanceConfig
) -> list[tuple[str, NDArray[np.bool_]]]:
    """``(suffix, mask over the encoded rows)`` per segment value and variant."""
    found: list[tuple[str, NDArray[np.bool_]]] = []
    segments = [s if isinstance(s, dict) else {} for s in window.segment[rows]]
    keys = config.segments
    if keys is None:
        keys = tuple(sorted({k for s in segments for k in s}))
    columns = [(key, [s.get(key) for s in segments]) for key in keys]
    if config.variants:
        columns.append(("variant", list(window.variant[rows])))
    for key, values in columns:
        texts = np.array([None if v is None else str(v) for v in values], dtype=object)
        counts = Counter(t for t in texts if t is not None)
        for value, _ in counts.most_common(config.max_groups):
            found.append((f"{key}={value}", texts == value))
    return found


def _status(value: float, bound: MetricBound) -> SignalStatus:
    if bound.min is not None and value < bound.min:
        return "breach"
    if bound.max is not None and value > bound.max:
        return "breach"
    return "ok"


def evaluate(
    metric: Metric,
    bound: MetricBound,
    data: MetricInput,
    config: PerformanceConfig,
    rng: np.random.Generator,
) -> tuple[float | None, SignalStatus, dict[str, Any]]:
    """One metric on one scope: its value, status and details (interval, or the reason)."""
    details: dict[str, Any] = {"bound": bound.model_dump()}
    if len(data) < config.min_labels:
        details["reason"] = (
            f"{len(data)} usable labelled predictions, fewer than min_labels ({config.min_labels})"
        )
        return None, "not_computable", details
    result = metric.compute(data)
    if isinstance(result, NotComputable):
        details["reason"] = result.reason
        return None, "not_computable", details
    found = interval(metric, result, data, rng, config.bootstrap_resamples, config.confidence)
    details["interval"] = None if found is None else asdict(found)
    if metric.name == "accuracy":
        details["confusion_matrix"] = confusion_matrix(data).tolist()
    return result, _status(result, bound), details


def window_performance(
    spec: ModelSpec,
    window: LabelledWindow,
    start: datetime,
    end: datetime,
    config: PerformanceConfig,
    rng: np.random.Generator,
) -> list[Signal]:
    """The realized-performance signals of one model's window (see the module docstring)."""
    encoded = encode(spec, window, config)
    coverage: dict[str, Any] = {
        "predictions": window.predictions,
        "labelled": window.labelled,
        "unusable": window.labelled - len(encoded.rows),
        "coverage": window.coverage,
    }
    if spec.task == "multiclass_classification":
        coverage["classes"] = list(encoded.classes)
    scopes: list[tuple[str, MetricInput, dict[str, Any]]] = [("", encoded.data, coverage)]
    for suffix, mask in groups(window, encoded.rows, config):
        scopes.append((f"/{suffix}", encoded.data.take(mask), {**coverage, "group": suffix}))
    found = []
    for metric, bound in chosen_metrics(spec, config):
        for suffix, data, scope_details in scopes:
            value, status, details = evaluate(metric, bound, data, config, rng)
            found.append(
                Signal(
                    detector=DETECTOR,
                    model=spec.name,
                    subject=f"{metric.name}{suffix}"[:200],
                    metric=metric.name,
                    window_start=start,
                    window_end=end,
                    value=value,
                    threshold=bound.min if bound.min is not None else bound.max,
                    status=status,
                    sample_size=len(data),
                    details={**scope_details, **details},
                )
            )
    return found
