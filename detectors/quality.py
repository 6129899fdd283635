"""Data quality of a model's window: missing values, out-of-range numbers, unseen categories,
traffic volume and freshness.

A pure function of the window's rows, the model's reference and a few traffic counts the
job reads (:class:`Activity`); the checks themselves are in :mod:`detectors.quality_checks`.
Every signal has detector ``"quality"``. Its subject names the check and, for per-feature
checks, the feature (``"missing_rate:income"``, ``"out_of_range:income"``,
``"unseen_categories:purpose"``); model-wide checks use the check's name (``"volume"``,
``"freshness"``, ``"duplicates"``). The metric is the check's name.

Per feature: ``missing_rate`` for every feature (against the reference's missing share; 0
for types the reference loader does not read and for models without a reference);
``out_of_range`` for numeric features; ``unseen_categories`` for categorical and boolean
ones. Features the collector hashes or drops as personal data (``pii``) get only what
survives: the missing rate of hashed ones. Duplicates are checked when the caller passes
one key per row: ``vigil check`` passes the request ids of its file; the scheduled job
passes digests of each stored prediction's content, since the store keeps one prediction
per (model, request id) and only a request resent under a new id can repeat in a window
(:mod:`detectors.quality_duplicates`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from detectors import quality_checks as checks
from detectors.config import QualityConfig
from detectors.quality_checks import Finding
from detectors.reference import Reference
from detectors.values import feature_values
from store.records import Signal
from store.specs import FeatureSpec, ModelSpec

DETECTOR = "quality"


@dataclass(frozen=True, slots=True)
class Activity:
    """Traffic facts besides the rows: the window's count, the baseline windows' counts and
    the time of the model's last event (None: never)."""

    count: int
    baseline: Sequence[int]
    last_event_at: datetime | None


def reference_missing_rate(reference: Reference | None, feature: FeatureSpec) -> float:
    """The share of the reference's rows without a value for the feature (0 when unknown)."""
    if reference is None or reference.rows == 0:
        return 0.0
    if feature.name in reference.numeric:
        return float(
            np.count_nonzero(~np.isfinite(reference.numeric[feature.name])) / reference.rows
        )
    if feature.name in reference.labels:
        return 1.0 - reference.labels[feature.name].size / reference.rows
    return 0.0


def _value_check(feature: FeatureSpec) -> str | None:
    return {"numeric": "out_of_range", "categorical": "unseen_categories"}.get(
        "categorical" if feature.type == "boolean" else feature.type
    )


def _personal_data_findings(
    feature: FeatureSpec, raw: list[object], ref_rate: float, config: QualityConfig
) -> list[Finding]:
    """A feature the collector hashes or drops: only what survives can be checked."""
    if feature.pii == "drop":
        reason = "the collector drops this feature (pii: drop)"
        return [checks.not_computable("missing_rate", feature.name, reason)]
    missing = sum(value is None for value in raw)
    found = [
        checks.missing_rate(feature.name, len(raw), missing, ref_rate, config.missing_rate_increase)
    ]
    check = _value_check(feature)
    if check is not None:
        reason = "the collector hashes this feature (pii: hash): its values cannot be compared"
        found.append(checks.not_computable(check, feature.name, reason))
    return found


def _feature_findings(
    feature: FeatureSpec, raw: list[object], reference: Reference | None, config: QualityConfig
) -> list[Finding]:
    ref_rate = reference_missing_rate(reference, feature)
    if feature.pii is not None:
        return _personal_data_findings(feature, raw, ref_rate, config)
    if feature.type not in ("numeric", "categorical", "boolean"):
        missing = sum(value is None for value in raw)
        return [
            checks.missing_rate(
                feature.name, len(raw), missing, ref_rate, config.missing_rate_increase
            )
        ]
    values = feature_values(raw, feature.type)
    found = [
        checks.missing_rate(
            feature.name, len(raw), values.nulls + values.invalid, ref_rate,
            config.missing_rate_increase,
        )
    ]  # fmt: skip
    if reference is None:
        check = _value_check(feature) or "out_of_range"
        return [
            *found,
            checks.not_computable(check, feature.name, "the model has no reference dataset"),
        ]
    if feature.type == "numeric":
        ref = reference.numeric.get(feature.name, np.empty(0))
        found.append(
            checks.out_of_range(
                feature.name,
                ref[np.isfinite(ref)],
                np.asarray(values.array, dtype=np.float64),
                config.out_of_range_share,
            )
        )
    else:
        ref_labels = reference.labels.get(feature.name, np.empty(0, dtype=np.str_))
        found.append(
            checks.unseen_categories(
                feature.name, ref_labels, values.array, config.unseen_category_share
            )
        )
    return found


def model_findings(
    activity: Activity, now: datetime, config: QualityConfig, request_ids: Sequence[str] | None
) -> list[Finding]:
    """The model-wide checks: volume, freshness and (with ids) duplicates."""
    silence = None
    if activity.last_event_at is not None:
        silence = (now - activity.last_event_at).total_seconds() / 60
    found = [
        checks.volume(
            activity.count, activity.baseline, config.volume_drop_ratio, config.volume_spike_ratio
        ),
        checks.freshness(silence, config.max_silence.total_seconds() / 60),
    ]
    if request_ids is not None:
        found.append(
            checks.duplicates(np.asarray(request_ids, dtype=np.str_), config.duplicate_share)
        )
    return found


def to_signal(finding: Finding, model: str, start: datetime, end: datetime) -> Signal:
    """A finding as a stored signal (subject: ``check:feature`` or the check)."""
    subject = finding.check if finding.feature is None else f"{finding.check}:{finding.feature}"
    details: dict[str, Any] = dict(finding.details)
    if finding.feature is not None:
        details["feature"] = finding.feature
    return Signal(
        detector=DETECTOR, model=model, subject=subject, metric=finding.check,
        window_start=start, window_end=end, value=finding.value, threshold=finding.threshold,
        status=finding.status, sample_size=finding.sample_size, details=details,
    )  # fmt: skip


def window_quality(
    spec: ModelSpec,
    reference: Reference | None,
    window_rows: Sequence[Mapping[str, Any]],
    activity: Activity,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
    config: QualityConfig,
    request_ids: Sequence[str] | None = None,
) -> list[Signal]:
    """Every quality signal of one model and window: per feature in declared order, then
    the model-wide ones."""
    found: list[Finding] = []
    for feature in spec.features:
        raw = [row.get(feature.name) for row in window_rows]
        found.extend(_feature_findings(feature, raw, reference, config))
    found.extend(model_findings(activity, now, config, request_ids))
    return [to_signal(f, spec.name, window_start, window_end) for f in found]
