"""Reading the two files of a release check into the columns it compares.

The I/O half of ``vigil check`` (:mod:`detectors.check` is the pure half): read CSV or
Parquet with pyarrow, decide each column's kind, and convert both sides to numpy.

Without a model config, a column's kind is inferred from the reference file:

- numbers are ``numeric``, booleans ``boolean``, text ``categorical``;
- dates, times and text that parses as ISO timestamps are skipped (``datetime``);
- id-like columns are skipped: a name such as ``id``, ``user_id``, ``request-uuid`` or
  ``Unnamed: 0``, text whose values are all distinct, or integers that are all distinct and
  consecutive (a row number) -- both with at least 20 values;
- a column that is null throughout cannot be compared (its kind is unknown).

With a model (``--config --model``) the model's features and types are used instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from detectors.errors import CheckInputError
from store.specs import FeatureType

_ID_NAME = re.compile(r"^(id|index|unnamed: ?\d+)$|[_\-. ](id|uuid|guid)$", re.IGNORECASE)
#: Fewer values than this: uniqueness says nothing about a column being an id.
MIN_VALUES_FOR_ID = 20
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def read_table(path: Path, role: str) -> pa.Table:
    """A whole CSV or Parquet file; ``role`` (reference, current) names it in errors."""
    where = f"{role} file {path}"
    if not path.is_file():
        raise CheckInputError(f"{where}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pacsv.read_csv(path)
        if suffix in (".parquet", ".pq"):
            return pq.read_table(path)
    except (pa.ArrowInvalid, OSError):
        raise CheckInputError(f"{where}: not a valid {suffix[1:]} file") from None
    raise CheckInputError(f"{where}: use a .csv, .parquet or .pq file")


@dataclass(frozen=True, slots=True)
class Inferred:
    """A column's kind, or why it is not compared (``kind`` None)."""

    kind: FeatureType | None
    reason: str | None = None
    skipped: bool = True


def _value_type(column: pa.ChunkedArray) -> pa.DataType:
    kind = column.type
    return kind.value_type if pa.types.is_dictionary(kind) else kind


def _all_distinct(column: pa.ChunkedArray) -> bool:
    present = len(column) - column.null_count
    return present >= MIN_VALUES_FOR_ID and pc.count_distinct(column).as_py() == present


def _parses_as_timestamps(column: pa.ChunkedArray) -> bool:
    sample = pc.drop_null(column).slice(0, 1000)
    try:
        pc.cast(sample, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return len(sample) > 0


def infer_kind(name: str, column: pa.ChunkedArray) -> Inferred:
    """The kind of a reference column (see the module docstring)."""
    kind = _value_type(column)
    if len(column) == 0:
        return Inferred(None, "the reference file has no rows", skipped=False)
    if column.null_count == len(column):
        return Inferred(None, "every value is null: the kind cannot be inferred", skipped=False)
    if pa.types.is_temporal(kind):
        return Inferred(None, "a date or time column")
    if _ID_NAME.search(name):
        return Inferred(None, "an id-like column (by its name)")
    if pa.types.is_boolean(kind):
        return Inferred("boolean")
    if pa.types.is_integer(kind):
        low, high = pc.min_max(column).values()
        consecutive = high.as_py() - low.as_py() + 1 == len(column) - column.null_count
        if consecutive and _all_distinct(column):
            return Inferred(None, "an id-like column (distinct consecutive integers)")
        return Inferred("numeric")
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return Inferred("numeric")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if _parses_as_timestamps(column):
            return Inferred(None, "a date or time column (ISO timestamps as text)")
        if _all_distinct(column):
            return Inferred(None, "an id-like column (every value distinct)")
        return Inferred("categorical")
    return Inferred(None, f"columns of type {kind} are not compared")


@dataclass(frozen=True, slots=True)
class ColumnData:
    """One side of a column: usable values, row count, and how many rows had none.

    Numeric: finite float64 values. Categorical: int32 codes into ``labels`` (sorted, shared
    by both sides, so codes compare and order like the labels).
    """

    values: NDArray[np.float64] | NDArray[np.int32]
    rows: int
    missing: int
    labels: NDArray[np.str_] | None = None


def numeric_data(column: pa.ChunkedArray) -> ColumnData:
    """Finite numbers; nulls, NaN, infinities and text that is not a number are missing."""
    kind = _value_type(column)
    if pa.types.is_dictionary(column.type):
        column = column.cast(kind)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        column = pc.if_else(pc.match_substring_regex(column, _NUMBER), column, None)
    try:
        numbers = pc.cast(column, pa.float64(), safe=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return ColumnData(np.empty(0), len(column), len(column))
    array = np.asarray(numbers.to_numpy(), dtype=np.float64)
    finite = np.isfinite(array)
    values = array if finite.all() else array[finite]
    return ColumnData(values, len(column), len(column) - values.size)


def _labels(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return pc.cast(column, pa.string())


def categorical_data(
    reference: pa.ChunkedArray, current: pa.ChunkedArray
) -> tuple[ColumnData, ColumnData]:
    """Both sides as codes over one sorted dictionary of their labels (nulls are missing)."""
    both = pa.chunked_array(
        _labels(reference).chunks + _labels(current).chunks, type=pa.string()
    ).dictionary_encode()
    encoded = (
        both.combine_chunks()
        if both.num_chunks
        else pa.array([], pa.dictionary(pa.int32(), pa.string()))
    )
    names = np.array(encoded.dictionary.to_pylist(), dtype=np.str_)
    order = np.argsort(names, kind="stable")
    rank = np.empty(order.size, dtype=np.int32)
    rank[order] = np.arange(order.size, dtype=np.int32)
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    labels = names[order]
    sides = []
    for part in (codes[: len(reference)], codes[len(reference) :]):
        present = part[part >= 0]
        sides.append(ColumnData(rank[present], part.size, part.size - present.size, labels))
    return sides[0], sides[1]
