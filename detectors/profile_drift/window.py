"""Data drift of a window from merged profiles: the profile twin of :mod:`detectors.drift`.

With ``detectors.drift.source: profiles`` the drift job reads the window's per-minute
profiles (:func:`store.profiles.window_profiles`, every collector and version merged)
instead of its raw rows, and compares each feature with the reference's profile. Signals
are the same as the raw-value detector's -- one per feature, the same thresholds, the
Benjamini-Hochberg correction and persistence of :mod:`detectors.decision` -- and their
``details`` add ``source: profiles`` and ``error_bound`` (see :mod:`detectors.profile_drift`).

The method, when the config names none, follows Evidently's table by the reference's size
(:mod:`detectors.methods.choice`) with what profiles can tell: numeric features get ``ks``
(reference of at most 1,000 values) or ``wasserstein``; categorical and boolean features
``chisquare`` or ``jensen_shannon``. Profiles do not count distinct numeric values, so the
rows of that table for numeric features with few values do not apply; the Z-test needs raw
counts of two categories and is replaced by chi-square. Methods that need raw values
(Anderson-Darling, Cramér-von Mises, energy distance, G-test, Fisher, Z) are not
computable from profiles, and the signal says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.column_drift import MIN_VALUES, NO_METHOD, ColumnDrift, threshold_for
from detectors.config import DriftConfig
from detectors.drift_details import drift_details
from detectors.methods import METHODS
from detectors.methods.base import finite_or_none
from detectors.methods.choice import SMALL_REFERENCE
from detectors.profile_drift.methods import PROFILE_METHODS, profile_method
from detectors.profile_drift.reference_profile import ReferenceProfiles
from detectors.window_drift import decide
from store.profile_records import FeatureProfile
from store.records import Signal, SignalStatus
from store.specs import FeatureSpec, FeatureType, ModelSpec

DETECTOR = "drift"
TESTED_TYPES = frozenset({"numeric", "categorical", "boolean"})


def choose_profile_method(kind: FeatureType, reference: FeatureProfile) -> str:
    """The default method of a feature compared through profiles (module docstring)."""
    small = reference.values <= SMALL_REFERENCE
    if kind == "numeric":
        return "ks" if small else "wasserstein"
    return "chisquare" if small else "jensen_shannon"


def _reason(
    method: str,
    kind: FeatureType,
    reference: FeatureProfile | None,
    current: FeatureProfile | None,
    config: DriftConfig,
) -> str | None:
    if reference is None or reference.values == 0:
        return "the reference dataset has no usable values for this feature"
    if current is None or current.values == 0:
        return "no usable values in the window's profiles"
    if method not in PROFILE_METHODS:
        return f"method {method} needs raw values; set detectors.drift.source: raw"
    if not METHODS[method].applies_to(kind):
        return f"method {method} does not apply to {kind} features"
    if reference.values < MIN_VALUES or current.values < MIN_VALUES:
        return (
            f"a single value on a side ({reference.values} in the reference, "
            f"{current.values} in the current data): there is no distribution to compare"
        )
    if not METHODS[method].has_p_value and current.values < config.min_sample_size:
        return (
            f"only {current.values} values in the current data; min_sample_size is "
            f"{config.min_sample_size} for {method}, which has no p-value"
        )
    constant = reference.minimum == reference.maximum and current.minimum == current.maximum
    if method == "wasserstein" and constant:
        return "reference and current are both constant: the normalised distance has no scale"
    return None


def _column(
    feature: FeatureSpec,
    reference: FeatureProfile | None,
    current: FeatureProfile | None,
    edges: NDArray[np.float64] | None,
    config: DriftConfig,
) -> tuple[ColumnDrift, float | None]:
    configured = config.override(feature.name).method
    if feature.type not in TESTED_TYPES:
        reason = f"drift of {feature.type} features is not supported yet"
        return ColumnDrift(NO_METHOD, None, True, reason=reason), None
    if feature.pii is not None:
        reason = f"the collector changes this feature (pii: {feature.pii}) before profiling it"
        return ColumnDrift(configured or "auto", None, configured is None, reason=reason), None
    if reference is None or reference.values == 0:
        reason = "the reference dataset has no usable values for this feature"
        return ColumnDrift(configured or "auto", None, configured is None, reason=reason), None
    method = configured or choose_profile_method(feature.type, reference)
    base = ColumnDrift(
        method,
        threshold_for(method, feature.name, config),
        configured is None,
        has_p_value=METHODS[method].has_p_value if method in METHODS else False,
    )
    problem = _reason(method, feature.type, reference, current, config)
    if problem is not None:
        return replace(base, reason=problem), None
    assert current is not None
    found = profile_method(method, reference, current, edges)
    if finite_or_none(found.result.effect_size) is None:
        return replace(base, reason=f"{method} returned a non-finite effect size"), None
    return replace(base, result=found.result), found.bound


def _summary(reference: FeatureProfile | None, current: FeatureProfile | None) -> dict[str, Any]:
    found: dict[str, Any] = {"source": "profiles"}
    if reference is not None:
        found["reference_size"] = reference.values
        if reference.kind == "numeric" and reference.values:
            found.update(reference_mean=reference.mean, reference_std=reference.variance**0.5)
    if current is not None:
        found["current_nulls"] = current.nulls
        if current.kind == "numeric" and current.values:
            found["current_mean"] = current.mean
    return found


def profile_feature_drift(
    spec: ModelSpec,
    reference: ReferenceProfiles,
    window: Mapping[str, FeatureProfile],
    window_start: datetime,
    window_end: datetime,
    config: DriftConfig,
    earlier: Mapping[str, Sequence[bool]] | None = None,
) -> list[Signal]:
    """One drift signal per feature of ``spec``, from the window's merged profiles."""
    profiles, edges = reference.profiles, reference.edges
    tested = {
        f.name: _column(f, profiles.get(f.name), window.get(f.name), edges.get(f.name), config)
        for f in spec.features
    }
    outcomes = decide({name: column for name, (column, _) in tested.items()}, config, earlier)
    found: list[Signal] = []
    for feature in spec.features:
        column, bound = tested[feature.name]
        outcome = outcomes[feature.name]
        status: SignalStatus = "not_computable"
        if outcome.computable:
            status = "breach" if outcome.breach else "ok"
        current = window.get(feature.name)
        details = drift_details(feature.type, outcome, None, None, config)
        details.update(_summary(reference.profiles.get(feature.name), current))
        if column.result is not None:
            details["error_bound"] = bound
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
                sample_size=0 if current is None else current.values,
                details=details,
            )
        )
    return found
