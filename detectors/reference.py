"""Loading a model's reference dataset into per-feature numpy arrays.

The file (CSV or Parquet, chosen by extension) is read once with pyarrow, only the columns
of the model's features, and converted with the same rules as window values
(:mod:`detectors.values`):

- ``numeric``: float64, nulls as NaN (non-finite values are dropped later, by the detector);
- ``categorical`` / ``boolean``: an array of labels, nulls dropped;
- ``text`` / ``embedding``: not loaded and not required in the file; no drift method
  handles them yet.

CSV cells in the usual null spellings (empty, ``NA``, ``null``, ``NaN``, ...) are nulls.
Errors are :mod:`detectors.errors` values that name the file and feature, never a cell.
"""

from __future__ import annotations

from collections.abc import Mapping
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
from detectors.values import label_values
from store.specs import FeatureSpec, ModelSpec

#: Feature types the loader reads; the others are ignored (see module docstring).
LOADED_TYPES = frozenset({"numeric", "categorical", "boolean"})
PARQUET_SUFFIXES = (".parquet", ".pq")

_Array = TypeVar("_Array", bound=np.ndarray)


@dataclass(frozen=True)
class Reference:
    """A loaded reference dataset. Arrays are read-only, so one load can be shared."""

    source: str
    rows: int
    numeric: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    labels: Mapping[str, NDArray[np.str_]] = field(default_factory=dict)


def _readonly(array: _Array) -> _Array:
    array.flags.writeable = False
    return array


def _check_columns(names: list[str], features: list[FeatureSpec], where: str) -> None:
    for feature in features:
        if feature.name not in names:
            raise ReferenceColumnMissing(
                f"{where}: feature {feature.name!r} is not a column of the file"
            )


def _read_csv(path: Path, features: list[FeatureSpec], where: str) -> pa.Table:
    """All wanted columns are read as text, then numeric ones are cast: a failed cast names
    the feature, where pyarrow's own type inference would only name a column number."""
    try:
        with pacsv.open_csv(path) as reader:
            names = reader.schema.names
        _check_columns(names, features, where)
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=[f.name for f in features],
                column_types={f.name: pa.string() for f in features},
                strings_can_be_null=True,
            ),
        )
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


def _read_parquet(path: Path, features: list[FeatureSpec], where: str) -> pa.Table:
    try:
        names = pq.read_schema(path).names
        _check_columns(names, features, where)
        return pq.read_table(path, columns=[f.name for f in features])
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


def load_reference(spec: ModelSpec, path: Path) -> Reference:
    """Read the reference dataset of ``spec`` from ``path`` (already resolved)."""
    where = f"reference dataset of model {spec.name!r} ({path})"
    if not path.is_file():
        raise ReferenceNotFound(f"{where}: file not found")
    if path.stat().st_size == 0:
        raise ReferenceEmpty(f"{where}: the file is empty")
    features = [f for f in spec.features if f.type in LOADED_TYPES]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path, features, where)
    elif suffix in PARQUET_SUFFIXES:
        table = _read_parquet(path, features, where)
    else:
        raise ReferenceUnreadable(f"{where}: use a .csv, .parquet or .pq file")
    if table.num_rows == 0:
        raise ReferenceEmpty(f"{where}: the file has no rows")
    numeric: dict[str, NDArray[np.float64]] = {}
    labels: dict[str, NDArray[np.str_]] = {}
    for feature in features:
        if feature.type == "numeric":
            numeric[feature.name] = _readonly(_numeric(table[feature.name], feature, where))
        else:
            labels[feature.name] = _readonly(_labels(table[feature.name], feature, where))
    return Reference(
        source=str(path),
        rows=table.num_rows,
        numeric=MappingProxyType(numeric),
        labels=MappingProxyType(labels),
    )
