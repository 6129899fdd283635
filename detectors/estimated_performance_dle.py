"""Estimated performance of regression models without labels: DLE estimates as signals.

The model's reference file must hold its numeric and categorical (and boolean) features, the
model's prediction (``prediction_column``) and the label (``label_column``). From it
:func:`load_dle_reference` fits the error regressors (:mod:`detectors.dle`).
:func:`window_dle` then turns a window's stored predictions into one signal per metric of
``regression_metrics`` (``mae``, ``rmse``), subject = the metric: the estimate as the value,
the sampling error, the band, the reference's mean realized value and the thresholds in the
details. Without configured bounds the thresholds are the reference band on the worse side
(above: these are errors), as for CBPE (:func:`detectors.estimated_performance.thresholds`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.cbpe_reference import read_columns
from detectors.dle import DleReference, FeatureEncoder, as_number, fit_dle, learn_codes
from detectors.errors import ReferenceColumnType, ReferenceEmpty
from detectors.estimated_performance import DETECTOR, status_of, thresholds
from detectors.performance_config import EstimatedPerformanceConfig
from store.records import Signal, SignalStatus
from store.specs import ModelSpec
from store.window_inputs import InputWindow


def encoder_for(spec: ModelSpec) -> FeatureEncoder:
    """The input layout of a model: its numeric features, then categorical and boolean."""
    numeric = tuple(f.name for f in spec.features if f.type == "numeric")
    categorical = tuple(f.name for f in spec.features if f.type in ("categorical", "boolean"))
    return FeatureEncoder(numeric, categorical)


def _floats(table: pa.Table, column: str, where: str) -> np.ndarray:
    try:
        return np.asarray(
            pc.cast(table[column], pa.float64()).fill_null(np.nan).to_numpy(), np.float64
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ReferenceColumnType(f"{where}: column {column!r} is not numeric") from None


def load_dle_reference(
    spec: ModelSpec, path: Path, config: EstimatedPerformanceConfig, seed: int = 0
) -> DleReference:
    """Read the labelled reference of a regression model and fit DLE on it."""
    where = f"DLE reference ({path})"
    layout = encoder_for(spec)
    names = [*layout.numeric, *layout.categorical]
    table = read_columns(path, [*names, config.prediction_column, config.label_column], where)
    y_true = _floats(table, config.label_column, where)
    y_pred = _floats(table, config.prediction_column, where)
    keep = np.isfinite(y_true) & np.isfinite(y_pred)
    if keep.sum() < 2 * config.chunk:
        raise ReferenceEmpty(
            f"{where}: {int(keep.sum())} rows with a label and a prediction; DLE needs at least "
            f"two chunks ({2 * config.chunk})"
        )
    index = pa.array(np.flatnonzero(keep))
    columns = {name: table[name].take(index).to_pylist() for name in names}
    encoder = FeatureEncoder(layout.numeric, layout.categorical,
                             learn_codes(layout.categorical, columns))  # fmt: skip
    x = encoder.matrix(columns, y_pred[keep])
    return fit_dle(str(path), encoder, x, y_true[keep], y_pred[keep], config.chunk, seed)


def predicted_values(window: InputWindow) -> np.ndarray:
    """Each row's predicted value: the logged prediction when numeric, else the score."""
    logged = np.array([as_number(v) for v in window.prediction], dtype=np.float64)
    return np.where(np.isnan(logged), window.score, logged)


def window_dle(
    spec: ModelSpec,
    reference: DleReference,
    window: InputWindow,
    start: datetime,
    end: datetime,
    config: EstimatedPerformanceConfig,
) -> list[Signal]:
    """The estimated-performance signals of one regression model's window."""
    predicted = predicted_values(window)
    usable = np.flatnonzero(np.isfinite(predicted))
    n = len(usable)
    estimates: dict[str, float] = {}
    if n >= config.min_predictions:
        rows = [window.features[i] for i in usable]
        estimates = reference.estimate(reference.encoder.rows_matrix(rows, predicted[usable]))
    found = []
    for name, bound in config.regression_metrics.items():
        mean, error = reference.chunk_mean.get(name), reference.sampling_error(name, n)
        limits = thresholds(mean, error, bound, config, higher_is_better=False, clip=(0.0, None))
        details: dict[str, Any] = {
            "predictions": len(predicted), "scored": n, "method": "dle",
            "reference_mean": mean, "bound": bound.model_dump(), "thresholds": limits,
        }  # fmt: skip
        value = estimates.get(name)
        status: SignalStatus = "not_computable"
        if value is None:
            details["reason"] = (
                f"{n} predictions with a value, fewer than min_predictions "
                f"({config.min_predictions})"
            )
        else:
            status = status_of(value, limits)
            details["sampling_error"] = error
            if error is not None:
                half = config.band_sigmas * error
                details["band"] = {"low": value - half, "high": value + half}
        found.append(
            Signal(
                detector=DETECTOR, model=spec.name, subject=name, metric=name,
                window_start=start, window_end=end, value=value,
                threshold=limits["upper"] if limits["upper"] is not None else limits["lower"],
                status=status, sample_size=n, details=details,
            )
        )  # fmt: skip
    return found
