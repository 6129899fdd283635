"""One column's drift test: pick the method, check it can say something, run it.

Shared by the scheduled drift detector (:mod:`detectors.drift`) and the release gate
(:mod:`detectors.check`). Pure: arrays in, a :class:`ColumnDrift` out. Whether the column
*drifted* is decided afterwards, across all of a model's columns at once, by
:mod:`detectors.decision` (the p-values are corrected together).

A column is not computable -- ``result`` is None and ``reason`` says why -- when:

- its kind has no method (``text``, ``embedding``);
- the reference or the current data has fewer than two usable values;
- the configured method does not apply to the column's kind;
- the method has no p-value and the current data has fewer than ``min_sample_size``
  values (distances are noisy on small samples; tests account for the sample size);
- the method says its result would be meaningless for the data (e.g. two constant sides);
- the method returned a non-finite effect size or p-value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from numpy.typing import NDArray

from detectors.config import DriftConfig
from detectors.methods import METHODS, DriftMethod, MethodResult
from detectors.methods.choice import choose_method
from store.specs import FeatureType

#: The ``method`` of a column no method handles.
NO_METHOD = "none"
#: Fewer usable values on a side: nothing to compare, whatever the method.
MIN_VALUES = 2


@dataclass(frozen=True, slots=True)
class ColumnDrift:
    """A column's method, threshold and result, or the reason there is no result."""

    method: str
    threshold: float | None
    automatic: bool
    result: MethodResult | None = None
    reason: str | None = None
    has_p_value: bool = False


def threshold_for(method: str, feature: str, config: DriftConfig) -> float:
    """The threshold a feature's method is judged by (see :class:`DriftConfig`)."""
    configured = config.override(feature).threshold
    if configured is not None:
        return configured
    if method == "wasserstein":
        return config.numeric_threshold
    if method == "jensen_shannon":
        return config.categorical_threshold
    return METHODS[method].default_threshold if method in METHODS else config.numeric_threshold


def _unusable(
    method: DriftMethod,
    kind: FeatureType,
    reference: NDArray[Any],
    current: NDArray[Any],
    config: DriftConfig,
) -> str | None:
    if reference.size == 0:
        return "the reference dataset has no usable values for this feature"
    if current.size == 0:
        return "no usable values in the current data"
    if reference.size < MIN_VALUES or current.size < MIN_VALUES:
        return (
            f"a single value on a side ({reference.size} in the reference, {current.size} "
            "in the current data): there is no distribution to compare"
        )
    if not method.applies_to(kind):
        return f"method {method.name} does not apply to {kind} features"
    if not method.has_p_value and current.size < config.min_sample_size:
        return (
            f"only {current.size} values in the current data; min_sample_size is "
            f"{config.min_sample_size} for {method.name}, which has no p-value"
        )
    return method.undefined_reason(reference, current)


def _non_finite(result: MethodResult, method: str) -> str | None:
    if not math.isfinite(result.effect_size):
        return f"{method} returned a non-finite effect size"
    if result.p_value is not None and not math.isfinite(result.p_value):
        return f"{method} returned a non-finite p-value"
    return None


def column_drift(
    feature: str,
    kind: FeatureType,
    reference: NDArray[Any],
    current: NDArray[Any],
    config: DriftConfig,
    methods: Mapping[str, DriftMethod] = METHODS,
) -> ColumnDrift:
    """Test one column. ``reference`` and ``current`` hold usable values only (no nulls;
    finite float64 for numeric features, string labels otherwise)."""
    configured = config.override(feature).method
    name = configured or (
        choose_method(kind, reference, current) if reference.size and current.size else None
    )
    if name is None:
        if kind not in ("numeric", "categorical", "boolean"):
            reason = f"drift of {kind} features is not supported yet"
        elif reference.size == 0:
            reason = "the reference dataset has no usable values for this feature"
        else:
            reason = "no usable values in the current data"
        return ColumnDrift(NO_METHOD, None, automatic=True, reason=reason)
    method = methods[name]
    threshold = threshold_for(name, feature, config)
    base = ColumnDrift(name, threshold, configured is None, has_p_value=method.has_p_value)
    problem = _unusable(method, kind, reference, current, config)
    if problem is None:
        result = method(reference, current)
        problem = _non_finite(result, name)
        if problem is None:
            return replace(base, result=result)
    return replace(base, reason=problem)
