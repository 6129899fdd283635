"""Data drift per feature: the last window of traffic against the reference dataset.

A pure function: no database, no clock. Every configured feature gets exactly one signal,
``ok``, ``breach`` or ``not_computable``; the last always carries ``details["reason"]``, so a
feature is never skipped silently and a value is never NaN. A feature is not computable when:

- its type has no drift method yet (``text``, ``embedding``; metric ``"none"``);
- the window has no predictions, or none with a usable value (all null or wrong type);
- it has fewer usable values than ``min_sample_size``;
- the reference has no usable values for it;
- the method says its value would be meaningless for the data: the normed Wasserstein
  distance when reference and window are both constant (the 0.001 normaliser floor would
  turn any shift into an arbitrary number). A single category on both sides is *not* such
  a case: the Jensen-Shannon distance is bounded and exact there (0 when it is the same
  category, the maximum when it is not).

Non-finite numbers (+/-inf) are dropped on both sides before testing, as Evidently does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.config import DriftConfig
from detectors.methods import DEFAULT_METHOD_FOR_TYPE, METHODS, DriftMethod
from detectors.reference import Reference
from detectors.values import Values, feature_values
from store.records import Signal, SignalStatus
from store.specs import FeatureSpec, FeatureType, ModelSpec

DETECTOR = "drift"
#: The ``metric`` of a signal for a feature type no method handles.
NO_METHOD = "none"
#: How many categories ``details`` lists for each side.
TOP_CATEGORIES = 5


def threshold_for(kind: FeatureType, config: DriftConfig) -> float:
    """The configured threshold for a feature type's default method."""
    return config.numeric_threshold if kind == "numeric" else config.categorical_threshold


def _reference_array(reference: Reference, feature: FeatureSpec) -> NDArray[Any] | None:
    if feature.type == "numeric":
        array = reference.numeric.get(feature.name)
        return None if array is None else array[np.isfinite(array)]
    return reference.labels.get(feature.name)


def _top_shares(labels: NDArray[np.str_]) -> dict[str, float]:
    """The most frequent categories and their share of the values, most frequent first."""
    if labels.size == 0:
        return {}
    categories, counts = np.unique(labels, return_counts=True)
    order = np.lexsort((categories, -counts))[:TOP_CATEGORIES]
    return {str(categories[i]): float(counts[i] / labels.size) for i in order}


def _summary(kind: FeatureType, reference: NDArray[Any], current: NDArray[Any]) -> dict[str, Any]:
    """What a reader of the signal wants beside the value: where each side sits."""
    if kind != "numeric":
        return {"reference_top": _top_shares(reference), "current_top": _top_shares(current)}
    summary: dict[str, Any] = {}
    if reference.size:
        summary["reference_mean"] = float(reference.mean())
        summary["reference_std"] = float(reference.std())
    if current.size:
        summary["current_mean"] = float(current.mean())
    return summary


def _unusable_reason(
    values: Values, rows: int, reference: NDArray[Any], config: DriftConfig
) -> str | None:
    """Why the window or the reference cannot be compared at all, or None."""
    if rows == 0:
        return "no predictions in the window"
    if values.size == 0:
        return (
            f"no usable values in the window: all {rows} rows are null "
            f"({values.nulls}) or of the wrong type ({values.invalid})"
        )
    if values.size < config.min_sample_size:
        return (
            f"only {values.size} values in the window; min_sample_size is {config.min_sample_size}"
        )
    if reference.size == 0:
        return "the reference dataset has no usable values for this feature"
    return None


def _drift_details(
    method: DriftMethod, reference: NDArray[Any], values: Values, kind: FeatureType
) -> dict[str, Any]:
    return {
        "method": method.name,
        "reference_size": int(reference.size),
        "current_nulls": values.nulls,
        "current_invalid": values.invalid,
        **_summary(kind, reference, values.array),
    }


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A feature's result before it is stamped with model, window and threshold."""

    metric: str
    value: float | None
    status: SignalStatus
    sample_size: int
    details: dict[str, Any]


def _not_computable(
    metric: str, sample_size: int, details: dict[str, Any], reason: str
) -> _Outcome:
    return _Outcome(metric, None, "not_computable", sample_size, {**details, "reason": reason})


def _evaluate(
    feature: FeatureSpec,
    rows: Sequence[Mapping[str, Any]],
    reference: Reference,
    config: DriftConfig,
    methods: Mapping[str, DriftMethod],
) -> _Outcome:
    raw = [row.get(feature.name) for row in rows]
    method_name = DEFAULT_METHOD_FOR_TYPE.get(feature.type)
    if method_name is None:
        present = sum(value is not None for value in raw)
        unsupported = f"drift of {feature.type} features is not supported yet"
        return _not_computable(NO_METHOD, present, {}, unsupported)
    method = methods[method_name]
    values = feature_values(raw, feature.type)
    reference_array = _reference_array(reference, feature)
    if reference_array is None:
        missing = "the feature is not in the loaded reference dataset"
        return _not_computable(method.name, values.size, {"method": method.name}, missing)
    details = _drift_details(method, reference_array, values, feature.type)
    reason = _unusable_reason(values, len(raw), reference_array, config) or (
        method.undefined_reason(reference_array, values.array)
    )
    if reason is not None:
        return _not_computable(method.name, values.size, details, reason)
    value = method(reference_array, values.array)
    if not math.isfinite(value):
        non_finite = f"{method.name} returned a non-finite value"
        return _not_computable(method.name, values.size, details, non_finite)
    drifted = method.is_breach(value, threshold_for(feature.type, config))
    return _Outcome(method.name, value, "breach" if drifted else "ok", values.size, details)


def feature_drift(
    spec: ModelSpec,
    reference: Reference,
    window_rows: Sequence[Mapping[str, Any]],
    window_start: datetime,
    window_end: datetime,
    config: DriftConfig,
    methods: Mapping[str, DriftMethod] = METHODS,
) -> list[Signal]:
    """One drift signal per feature of ``spec``, in the order the spec declares them.

    ``window_rows`` are the ``features`` dicts of the window's predictions; a missing key
    counts as a null. ``sample_size`` is the number of usable current values. ``methods``
    must hold every method named in ``DEFAULT_METHOD_FOR_TYPE``.
    """
    found: list[Signal] = []
    for feature in spec.features:
        outcome = _evaluate(feature, window_rows, reference, config, methods)
        found.append(
            Signal(
                detector=DETECTOR,
                model=spec.name,
                subject=feature.name,
                metric=outcome.metric,
                window_start=window_start,
                window_end=window_end,
                value=outcome.value,
                threshold=threshold_for(feature.type, config),
                status=outcome.status,
                sample_size=outcome.sample_size,
                details=outcome.details,
            )
        )
    return found
