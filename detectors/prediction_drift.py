"""Prediction drift: the distribution of a model's outputs against its reference's.

Output drift often shows before labels arrive and sums up input drift that matters to the
model: a score distribution that moves, or a predicted class that becomes more frequent.
Two subjects per model and window, detector ``prediction_drift``:

- ``__score__``: the ``score`` logged with each prediction against the reference's
  ``score_column``, with numeric methods (chosen as for a numeric feature);
- ``__prediction__``: the logged ``prediction`` against the reference's
  ``prediction_column``: categorical methods for classifiers (the predicted class), numeric
  ones for regression models (the predicted value). Ranking models' predictions are lists:
  not computable.

Tests, thresholds, Benjamini-Hochberg across the two subjects and persistence are those of
feature drift (:mod:`detectors.window_drift`, configured by
:class:`detectors.config.PredictionDriftConfig`); ``details`` has the same keys as a
feature's drift signal (:mod:`detectors.drift_details`). A pure function: the job reads the
window (:mod:`detectors.prediction_drift_job`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from detectors.column_drift import ColumnDrift, column_drift
from detectors.config import PREDICTION_SUBJECT, SCORE_SUBJECT, PredictionDriftConfig
from detectors.drift_details import drift_details
from detectors.reference import Reference
from detectors.values import Values, feature_values
from detectors.window_drift import decide
from store.records import Signal, SignalStatus
from store.specs import FeatureType, ModelSpec
from store.window_scores import ScoredWindow

DETECTOR = "prediction_drift"


def prediction_kind(spec: ModelSpec) -> FeatureType | None:
    """How a model's predictions are compared: numbers, classes, or not at all (ranking)."""
    if spec.task == "regression":
        return "numeric"
    if spec.task == "ranking":
        return None
    return "categorical"


def _inputs(
    spec: ModelSpec, reference: Reference, window: ScoredWindow, config: PredictionDriftConfig
) -> dict[str, tuple[FeatureType | None, str, list[object]]]:
    kind = prediction_kind(spec)
    return {
        SCORE_SUBJECT: ("numeric", config.score_column, window.score.tolist()),
        PREDICTION_SUBJECT: (kind, config.prediction_column, list(window.prediction)),
    }


def _parsed(cells: list[object], kind: FeatureType) -> list[object]:
    """Reference cells as values: numbers a text column holds (a CSV column pyarrow could
    not type) are read as numbers; a cell that is no number stays text and counts invalid."""
    if kind != "numeric":
        return cells
    found: list[object] = []
    for cell in cells:
        if isinstance(cell, str):
            try:
                found.append(float(cell))
            except ValueError:
                found.append(cell)
        else:
            found.append(cell)
    return found


def _evaluate(
    name: str,
    kind: FeatureType | None,
    column: str,
    raw: list[object],
    reference: Reference,
    config: PredictionDriftConfig,
) -> tuple[ColumnDrift, Values | None, NDArray[np.float64] | NDArray[np.str_] | None]:
    method = config.override(name).method or "auto"
    if kind is None:
        reason = "ranking predictions are lists: their distribution is not compared"
        return ColumnDrift("none", None, True, reason=reason), None, None
    stored = reference.extra.get(column)
    if stored is None:
        reason = f"the reference dataset has no column {column!r}"
        return ColumnDrift(method, None, True, reason=reason), None, None
    ref = feature_values(_parsed(stored.tolist(), kind), kind).array
    values = feature_values(raw, kind)
    if not raw:
        return ColumnDrift(method, None, True, reason="no predictions in the window"), values, ref
    if values.size == 0:
        reason = f"no usable values in the window: all {len(raw)} are null or of the wrong type"
        return ColumnDrift(method, None, True, reason=reason), values, ref
    return column_drift(name, kind, ref, values.array, config), values, ref


def prediction_drift(
    spec: ModelSpec,
    reference: Reference,
    window: ScoredWindow,
    window_start: datetime,
    window_end: datetime,
    config: PredictionDriftConfig,
    earlier: Mapping[str, Sequence[bool]] | None = None,
) -> list[Signal]:
    """The ``__score__`` and ``__prediction__`` signals of one model and window."""
    inputs = _inputs(spec, reference, window, config)
    evaluated = {
        name: _evaluate(name, kind, column, raw, reference, config)
        for name, (kind, column, raw) in inputs.items()
    }
    outcomes = decide({name: e[0] for name, e in evaluated.items()}, config, earlier)
    found: list[Signal] = []
    for name, (kind, _, raw) in inputs.items():
        drift, values, ref = evaluated[name]
        outcome = outcomes[name]
        status: SignalStatus = "not_computable"
        if outcome.computable:
            status = "breach" if outcome.breach else "ok"
        details = drift_details(kind or "categorical", outcome, values, ref, config)
        found.append(
            Signal(
                detector=DETECTOR, model=spec.name, subject=name, metric=drift.method,
                window_start=window_start, window_end=window_end,
                value=None if drift.result is None else drift.result.effect_size,
                threshold=drift.threshold, status=status,
                sample_size=len(raw) if values is None else values.size, details=details,
            )
        )  # fmt: skip
    return found
