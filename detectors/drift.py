"""Data drift per feature: the last window of traffic against the reference dataset.

A pure function: no database, no clock. Every configured feature gets exactly one signal,
``ok``, ``breach`` or ``not_computable``; the last always carries ``details["reason"]``, so a
feature is never skipped silently and a value is never NaN. Each feature's method is chosen
as Evidently chooses it unless configured (:mod:`detectors.methods.choice`); the reasons a
column cannot be tested are listed in :mod:`detectors.column_drift`, and the window itself
is unusable when it has no predictions or no usable value of the feature. Features the
collector hashes or drops as personal data (``pii``) are not computable: the reference
holds raw values.

The signal's ``value`` is the method's effect size and ``threshold`` the feature's threshold.
Whether it breaches follows :mod:`detectors.decision`: effect size, Benjamini-Hochberg p-value
across the model's features, and persistence over the last windows, whose verdicts the
caller passes in ``earlier``. ``details`` records each step: ``statistic``, ``p_value``,
``p_adjusted``, ``alpha``, ``window_drifted`` and ``persistence``.

Non-finite numbers (+/-inf) are dropped on both sides before testing, as Evidently does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.column_drift import NO_METHOD, ColumnDrift, column_drift
from detectors.config import DriftConfig
from detectors.drift_details import drift_details
from detectors.methods import METHODS, DriftMethod
from detectors.reference import Reference
from detectors.values import Values, feature_values
from detectors.window_drift import decide
from store.records import Signal, SignalStatus
from store.specs import FeatureSpec, ModelSpec

DETECTOR = "drift"
#: The ``metric`` of a signal whose method is chosen from data that is not there.
AUTO = "auto"
#: Feature types the drift detector tests.
TESTED_TYPES = frozenset({"numeric", "categorical", "boolean"})


def reference_array(reference: Reference, feature: FeatureSpec) -> NDArray[Any] | None:
    """The usable reference values of a feature, or None when it was not loaded."""
    if feature.type == "numeric":
        array = reference.numeric.get(feature.name)
        return None if array is None else array[np.isfinite(array)]
    return reference.labels.get(feature.name)


def _window_reason(values: Values, rows: int) -> str | None:
    if rows == 0:
        return "no predictions in the window"
    if values.size == 0:
        return (
            f"no usable values in the window: all {rows} rows are null "
            f"({values.nulls}) or of the wrong type ({values.invalid})"
        )
    return None


def _evaluate(
    feature: FeatureSpec,
    raw: list[object],
    reference: Reference,
    config: DriftConfig,
    methods: Mapping[str, DriftMethod],
) -> tuple[ColumnDrift, Values | None, NDArray[Any] | None]:
    configured = config.override(feature.name).method or AUTO
    automatic = configured == AUTO
    if feature.type not in TESTED_TYPES:
        unsupported = f"drift of {feature.type} features is not supported yet"
        return ColumnDrift(NO_METHOD, None, True, reason=unsupported), None, None
    if feature.pii is not None:
        verb = "hashes" if feature.pii == "hash" else "drops"
        personal = (
            f"the collector {verb} this feature (pii: {feature.pii}): its values cannot be "
            "compared with the reference's"
        )
        return ColumnDrift(configured, None, automatic, reason=personal), None, None
    values = feature_values(raw, feature.type)
    ref = reference_array(reference, feature)
    if ref is None:
        missing = "the feature is not in the loaded reference dataset"
        return ColumnDrift(configured, None, automatic, reason=missing), values, None
    reason = _window_reason(values, len(raw))
    if reason is not None:
        return ColumnDrift(configured, None, automatic, reason=reason), values, ref
    return column_drift(feature.name, feature.type, ref, values.array, config, methods), values, ref


def _present(rows: Sequence[Mapping[str, Any]], name: str) -> int:
    return sum(row.get(name) is not None for row in rows)


def feature_drift(
    spec: ModelSpec,
    reference: Reference,
    window_rows: Sequence[Mapping[str, Any]],
    window_start: datetime,
    window_end: datetime,
    config: DriftConfig,
    methods: Mapping[str, DriftMethod] = METHODS,
    earlier: Mapping[str, Sequence[bool]] | None = None,
) -> list[Signal]:
    """One drift signal per feature of ``spec``, in the order the spec declares them.

    ``window_rows`` are the ``features`` dicts of the window's predictions; a missing key
    counts as a null. ``earlier`` maps a feature to the ``window_drifted`` verdicts of its
    previous windows, oldest first (none: this is the first window). ``sample_size`` is the
    number of usable current values (present values for untested types).
    """
    evaluated = {
        feature.name: _evaluate(
            feature, [row.get(feature.name) for row in window_rows], reference, config, methods
        )
        for feature in spec.features
    }
    outcomes = decide({name: e[0] for name, e in evaluated.items()}, config, earlier)
    found: list[Signal] = []
    for feature in spec.features:
        column, values, ref = evaluated[feature.name]
        outcome = outcomes[feature.name]
        status: SignalStatus = "not_computable"
        if outcome.computable:
            status = "breach" if outcome.breach else "ok"
        found.append(
            Signal(
                detector=DETECTOR,
                model=spec.name,
                subject=feature.name,
                metric=column.method,
                window_start=window_start,
                window_end=window_end,
                value=None if column.result is None else column.result.effect_size,
                threshold=column.threshold,
                status=status,
                sample_size=_present(window_rows, feature.name) if values is None else values.size,
                details=drift_details(feature.type, outcome, values, ref, config),
            )
        )
    return found
