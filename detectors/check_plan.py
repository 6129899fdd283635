"""Which columns a release check compares, as what, and their data on both sides.

With a model spec: exactly the model's features, with their configured types. Without one:
every column of either file, kinds inferred from the reference (:func:`check_io.infer_kind`).
A column can be

- compared (``kind`` set, data on both sides);
- skipped with a reason (ignored, a date, an id, only in the current file, not a feature,
  or a model output: the target, prediction and score columns of a labelled check, which
  the performance check compares instead -- their shift is what the model is judged on,
  not an input drift);
- a problem: it should be compared but cannot (``problem``): missing from the current file
  (the check fails) or from the reference, or null throughout (not computable).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from detectors.check_io import ColumnData, categorical_data, infer_kind, numeric_data
from store.specs import FeatureType, ModelSpec

#: The request-id column checked for duplicates in the current file, when present.
REQUEST_ID = "request_id"
#: Why a model output column (``--target``, ``--prediction``, ``--score``) is not drift-tested.
OUTPUT_SKIP = "model output: judged by the performance check, not drift-tested"


@dataclass(frozen=True, slots=True)
class PlannedColumn:
    """A column of the check and what will be done with it."""

    name: str
    kind: FeatureType | None
    source: Literal["config", "inferred"]
    skip: str | None = None
    problem: str | None = None
    missing_from_current: bool = False
    reference: ColumnData | None = None
    current: ColumnData | None = None


def _with_data(
    name: str,
    kind: FeatureType,
    source: Literal["config", "inferred"],
    ref: pa.Table,
    cur: pa.Table,
) -> PlannedColumn:
    if kind == "numeric":
        ref_data, cur_data = numeric_data(ref[name]), numeric_data(cur[name])
    else:
        ref_data, cur_data = categorical_data(ref[name], cur[name])
    return PlannedColumn(name, kind, source, reference=ref_data, current=cur_data)


def _plan(
    name: str,
    kind: FeatureType | None,
    source: Literal["config", "inferred"],
    reference: pa.Table,
    current: pa.Table,
) -> PlannedColumn:
    in_reference = name in reference.column_names
    in_current = name in current.column_names
    if not in_current and (in_reference or source == "config"):
        return PlannedColumn(
            name, kind, source, problem="missing from the current file", missing_from_current=True
        )
    if not in_reference:
        if source == "config":
            return PlannedColumn(name, kind, source, problem="not a column of the reference file")
        return PlannedColumn(name, None, source, skip="only in the current file (a new column)")
    if source == "inferred":
        inferred = infer_kind(name, reference[name])
        if inferred.kind is None:
            if inferred.skipped:
                return PlannedColumn(name, None, source, skip=inferred.reason)
            return PlannedColumn(name, None, source, problem=inferred.reason)
        kind = inferred.kind
    assert kind is not None
    return _with_data(name, kind, source, reference, current)


def plan_columns(
    reference: pa.Table,
    current: pa.Table,
    spec: ModelSpec | None = None,
    ignore: Collection[str] = (),
    outputs: Collection[str] = (),
) -> list[PlannedColumn]:
    """Every column of the check, in the model's feature order or the files' column order;
    ``outputs`` (target, prediction, score) are skipped, never drift-tested."""
    if spec is not None:
        wanted: list[tuple[str, FeatureType | None]] = [(f.name, f.type) for f in spec.features]
        source: Literal["config", "inferred"] = "config"
    else:
        names = list(reference.column_names)
        names += [n for n in current.column_names if n not in names]
        wanted = [(name, None) for name in names]
        source = "inferred"
    planned = []
    for name, kind in wanted:
        if name in ignore:
            planned.append(PlannedColumn(name, kind, source, skip="ignored (--ignore)"))
        elif name in outputs:
            planned.append(PlannedColumn(name, kind, source, skip=OUTPUT_SKIP))
        elif spec is None and name == REQUEST_ID:
            planned.append(
                PlannedColumn(name, None, source, skip="request ids: checked for duplicates")
            )
        else:
            planned.append(_plan(name, kind, source, reference, current))
    return planned
