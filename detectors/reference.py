"""Loading a model's reference dataset into per-feature numpy arrays.

The file (CSV or Parquet, chosen by extension) is read once with pyarrow, only the columns
of the model's features, and converted with the same rules as window values
(:mod:`detectors.values`):

- ``numeric``: float64, nulls as NaN (non-finite values are dropped later, by the detector);
- ``categorical`` / ``boolean``: an array of labels, nulls dropped (and, row-aligned with
  the numeric arrays for the multivariate detectors, the labels with None for nulls);
- ``embedding``: when the file has the column (it is not required: only embedding drift
  reads it), a 2-D float64 array, one row per non-null cell (Parquet or SQL lists, or a
  JSON list in a CSV or text cell), all of one length;
- ``text``: not loaded and not required in the file.

``extra_columns`` (the score and prediction columns prediction drift compares) are read when
the file has them, as raw values row-aligned with the features; absent ones are left out.
A reference read by a SQL query (:mod:`detectors.reference_sql`) goes through the same
conversion, from the table the query returned.

CSV cells in the usual null spellings (empty, ``NA``, ``null``, ``NaN``, ...) are nulls.
Errors are :mod:`detectors.errors` values that name the file and feature, never a cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

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
from detectors.values import boolean_label, category_label, label_values
from store.specs import FeatureSpec, ModelSpec

#: Feature types the loader reads; the others are ignored (see module docstring).
LOADED_TYPES = frozenset({"numeric", "categorical", "boolean", "embedding"})
#: Feature types read into per-value arrays (``numeric`` and ``labels``).
SCALAR_TYPES = frozenset({"numeric", "categorical", "boolean"})
PARQUET_SUFFIXES = (".parquet", ".pq")

_Array = TypeVar("_Array", bound=np.ndarray)


@dataclass(frozen=True)
class Reference:
    """A loaded reference dataset. Arrays are read-only, so one load can be shared."""

    source: str
    rows: int
    numeric: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    labels: Mapping[str, NDArray[np.str_]] = field(default_factory=dict)
    #: Categorical and boolean labels row-aligned with ``numeric`` (None for a null).
    aligned_labels: Mapping[str, NDArray[np.object_]] = field(default_factory=dict)
    #: Embedding features: one row per non-null reference cell.
    embeddings: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    #: Extra columns that were asked for and present (raw values, row-aligned).
    extra: Mapping[str, NDArray[np.object_]] = field(default_factory=dict)


def _readonly(array: _Array) -> _Array:
    array.flags.writeable = False
    return array


def _check_columns(names: list[str], features: list[FeatureSpec], where: str) -> None:
    for feature in features:
        if feature.name not in names:
            raise ReferenceColumnMissing(
                f"{where}: feature {feature.name!r} is not a column of the file"
            )


def _read_csv_columns(path: Path, columns: list[str], types: dict[str, pa.DataType]) -> pa.Table:
    options = pacsv.ConvertOptions(
        include_columns=columns, column_types=types, strings_can_be_null=True
    )
    return pacsv.read_csv(path, convert_options=options)


def _read_csv(
    path: Path, features: list[FeatureSpec], where: str, extra: Sequence[str] = ()
) -> pa.Table:
    """All wanted columns are read as text, then numeric ones are cast: a failed cast names
    the feature, where pyarrow's own type inference would only name a column number. Extra
    columns keep pyarrow's inferred types (text when their values are of mixed types)."""
    try:
        with pacsv.open_csv(path) as reader:
            names = reader.schema.names
        _check_columns(names, features, where)
        wanted = [f.name for f in features]
        present = [c for c in extra if c in names and c not in wanted]
        table = _read_csv_columns(path, wanted + present, {f.name: pa.string() for f in features})
    except (pa.ArrowInvalid, OSError):
        raise ReferenceUnreadable(f"{where}: not a valid CSV file") from None
    for feature in features:
        if feature.type == "numeric":
            try:
                column = pc.cast(table[feature.name], pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise ReferenceColumnType(
                    f"{where}: feature {feature.name!r} is numeric but its column "
                    "holds values that are not numbers"
                ) from None
            index = table.schema.get_field_index(feature.name)
            table = table.set_column(index, feature.name, column)
    return table


def _read_parquet(
    path: Path, features: list[FeatureSpec], where: str, extra: Sequence[str] = ()
) -> pa.Table:
    try:
        names = pq.read_schema(path).names
        _check_columns(names, features, where)
        wanted = [f.name for f in features]
        present = [c for c in extra if c in names and c not in wanted]
        return pq.read_table(path, columns=wanted + present)
    except (pa.ArrowInvalid, OSError):
        raise ReferenceUnreadable(f"{where}: not a valid Parquet file") from None


def _numeric(column: pa.ChunkedArray, feature: FeatureSpec, where: str) -> NDArray[np.float64]:
    kind = column.type
    if not (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_null(kind)
    ):
        raise ReferenceColumnType(
            f"{where}: feature {feature.name!r} is numeric but its column has type {kind}"
        )
    return np.array(pc.cast(column, pa.float64()).to_numpy(), dtype=np.float64)


def _labels(column: pa.ChunkedArray, feature: FeatureSpec, where: str) -> NDArray[np.str_]:
    values = label_values(column.to_pylist(), feature.type)
    if values.invalid:
        raise ReferenceColumnType(
            f"{where}: feature {feature.name!r} is {feature.type} but {values.invalid} "
            f"values of its column are not {feature.type} values"
        )
    return values.array.astype(np.str_)


def _embeddings(column: pa.ChunkedArray, feature: FeatureSpec, where: str) -> NDArray[np.float64]:
    """Non-null cells as rows: lists (Parquet, SQL arrays) or JSON lists (CSV, text)."""
    rows: list[list[float]] = []
    for cell in column.to_pylist():
        if cell is None:
            continue
        try:
            vector = json.loads(cell) if isinstance(cell, str) else cell
            rows.append([float(v) for v in vector])
        except (TypeError, ValueError):
            raise ReferenceColumnType(
                f"{where}: feature {feature.name!r} is an embedding but its column holds "
                "values that are not lists of numbers"
            ) from None
    if len({len(row) for row in rows}) > 1:
        raise ReferenceColumnType(
            f"{where}: embedding feature {feature.name!r} has vectors of different lengths"
        )
    array = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(rows[0]) if rows else 0)
    if not np.isfinite(array).all():
        raise ReferenceColumnType(
            f"{where}: embedding feature {feature.name!r} holds non-finite numbers"
        )
    return array


def _aligned(column: pa.ChunkedArray, feature: FeatureSpec) -> NDArray[np.object_]:
    """Labels with None for nulls, one per row (values already checked by :func:`_labels`)."""
    convert = boolean_label if feature.type == "boolean" else category_label
    cells = column.to_pylist()
    found = np.empty(len(cells), dtype=object)
    found[:] = [None if cell is None else convert(cell) for cell in cells]
    return found


def reference_from_table(
    spec: ModelSpec, table: pa.Table, where: str, source: str, extra_columns: Sequence[str] = ()
) -> Reference:
    """Convert a table holding the model's feature columns (file or query) into a Reference."""
    if table.num_rows == 0:
        raise ReferenceEmpty(f"{where}: no rows")
    numeric: dict[str, NDArray[np.float64]] = {}
    labels: dict[str, NDArray[np.str_]] = {}
    aligned: dict[str, NDArray[np.object_]] = {}
    embeddings: dict[str, NDArray[np.float64]] = {}
    for feature in spec.features:
        if feature.type not in LOADED_TYPES or feature.name not in table.column_names:
            continue  # an embedding column is optional: embedding drift says it is missing
        column = table[feature.name]
        if feature.type == "numeric":
            numeric[feature.name] = _readonly(_numeric(column, feature, where))
        elif feature.type == "embedding":
            embeddings[feature.name] = _readonly(_embeddings(column, feature, where))
        else:
            labels[feature.name] = _readonly(_labels(column, feature, where))
            aligned[feature.name] = _readonly(_aligned(column, feature))
    extra: dict[str, NDArray[np.object_]] = {}
    for name in extra_columns:
        if name in table.column_names:
            cells = table[name].to_pylist()
            values = np.empty(len(cells), dtype=object)
            values[:] = cells
            extra[name] = _readonly(values)
    return Reference(
        source=source,
        rows=table.num_rows,
        numeric=MappingProxyType(numeric),
        labels=MappingProxyType(labels),
        aligned_labels=MappingProxyType(aligned),
        embeddings=MappingProxyType(embeddings),
        extra=MappingProxyType(extra),
    )


def load_reference(spec: ModelSpec, path: Path, extra_columns: Sequence[str] = ()) -> Reference:
    """Read the reference dataset of ``spec`` from ``path`` (already resolved)."""
    where = f"reference dataset of model {spec.name!r} ({path})"
    if not path.is_file():
        raise ReferenceNotFound(f"{where}: file not found")
    if path.stat().st_size == 0:
        raise ReferenceEmpty(f"{where}: the file is empty")
    features = [f for f in spec.features if f.type in SCALAR_TYPES]
    optional = [*(f.name for f in spec.features if f.type == "embedding"), *extra_columns]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path, features, where, optional)
    elif suffix in PARQUET_SUFFIXES:
        table = _read_parquet(path, features, where, optional)
    else:
        raise ReferenceUnreadable(f"{where}: use a .csv, .parquet or .pq file")
    if table.num_rows == 0:
        raise ReferenceEmpty(f"{where}: the file has no rows")
    return reference_from_table(spec, table, where, str(path), extra_columns)
