"""The labelled reference CBPE learns from: its calibrator and its sampling errors.

The model's reference file (``models[].reference.path``, CSV or Parquet) must hold the
model's score and the label, in the columns the config names. From it:

- an isotonic regression (scikit-learn, imported here only) maps scores to calibrated
  probabilities of the positive class;
- the realized metric on consecutive reference chunks of ``chunk`` rows gives, by its
  standard deviation ``s``, the sampling error ``s · sqrt(chunk / n)`` of a window of ``n``
  predictions (NannyML's chunk-based sampling error, scaled to the window's size).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from detectors.errors import (
    ReferenceColumnMissing,
    ReferenceColumnType,
    ReferenceEmpty,
    ReferenceNotFound,
    ReferenceUnreadable,
)
from detectors.label_encoding import normalise
from detectors.metrics import METRICS, MetricInput, NotComputable


@dataclass(frozen=True)
class CbpeReference:
    """A fitted calibrator and the reference's per-chunk metric spread."""

    source: str
    rows: int
    calibrator: Any  #: a fitted ``sklearn.isotonic.IsotonicRegression``
    chunk: int
    chunk_std: Mapping[str, float] = field(default_factory=dict)
    chunk_mean: Mapping[str, float] = field(default_factory=dict)

    def calibrate(self, score: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(self.calibrator.predict(score), dtype=np.float64)

    def sampling_error(self, metric: str, n: int) -> float | None:
        """The standard error of ``metric`` on a window of ``n`` predictions."""
        std = self.chunk_std.get(metric)
        return None if std is None or n == 0 else std * math.sqrt(self.chunk / n)


def read_columns(path: Path, columns: list[str], where: str) -> pa.Table:
    """The named columns of a CSV or Parquet file; errors name the file and column."""
    if not path.is_file():
        raise ReferenceNotFound(f"{where}: file not found")
    try:
        if path.suffix.lower() == ".csv":
            with pacsv.open_csv(path) as reader:
                names = reader.schema.names
        else:
            names = pq.read_schema(path).names
        for column in columns:
            if column not in names:
                raise ReferenceColumnMissing(f"{where}: column {column!r} is missing")
        if path.suffix.lower() == ".csv":
            options = pacsv.ConvertOptions(include_columns=columns)
            return pacsv.read_csv(path, convert_options=options)
        return pq.read_table(path, columns=columns)
    except (pa.ArrowInvalid, OSError):
        raise ReferenceUnreadable(f"{where}: not a valid CSV or Parquet file") from None


def chunk_spread(
    y: NDArray[np.int64], score: NDArray[np.float64], threshold: float, chunk: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Mean and standard deviation of each realized metric over consecutive chunks."""
    spread: dict[str, list[float]] = {}
    for start in range(0, len(y) - chunk + 1, chunk):
        part = slice(start, start + chunk)
        data = MetricInput(y[part], (score[part] >= threshold).astype(np.int64), score[part])
        for name in ("accuracy", "precision", "recall", "f1", "roc_auc"):
            value = METRICS[name].compute(data)
            if not isinstance(value, NotComputable):
                spread.setdefault(name, []).append(value)
    usable = {name: values for name, values in spread.items() if len(values) >= 2}
    return (
        {name: float(np.std(values, ddof=1)) for name, values in usable.items()},
        {name: float(np.mean(values)) for name, values in usable.items()},
    )


def load_cbpe_reference(
    path: Path,
    score_column: str,
    label_column: str,
    positive_label: str | int | bool,
    threshold: float,
    chunk: int,
) -> CbpeReference:
    """Read the reference, fit the calibrator, measure the chunk spread."""
    from sklearn.isotonic import IsotonicRegression

    where = f"CBPE reference ({path})"
    table = read_columns(path, [score_column, label_column], where)
    try:
        score = np.asarray(pc.cast(table[score_column], pa.float64()).to_numpy(), np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ReferenceColumnType(f"{where}: column {score_column!r} is not numeric") from None
    labels = [normalise(v) for v in table[label_column].to_pylist()]
    keep = np.isfinite(score) & np.array([v is not None for v in labels], dtype=bool)
    if not keep.any():
        raise ReferenceEmpty(f"{where}: no row has both a score and a label")
    positive = normalise(positive_label)
    y = np.array([v == positive for v in labels], dtype=np.int64)[keep]
    score = score[keep]
    if y.min() == y.max():
        raise ReferenceColumnType(f"{where}: column {label_column!r} holds one class only")
    calibrator = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(score, y)
    std, mean = chunk_spread(y, score, threshold, chunk)
    return CbpeReference(str(path), len(y), calibrator, chunk, std, mean)
