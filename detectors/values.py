"""How raw feature values become the arrays drift methods compare.

Current values come from event JSON (``None``, numbers, strings, booleans); reference values
come from pyarrow columns. Both go through the functions here, so a category is spelled the
same on both sides: a boolean ``True`` from JSON, a Parquet ``bool`` and a CSV ``1`` in a
boolean column all become ``"true"``.

Nulls are dropped and counted; values of the wrong type are dropped and counted separately,
so a detector can say how much of the window it could not use instead of skipping silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from store.specs import FeatureType

_TRUE = frozenset({"true", "1", "yes", "t", "y"})
_FALSE = frozenset({"false", "0", "no", "f", "n"})


@dataclass(frozen=True, slots=True)
class Values:
    """The usable values of one feature in a window, and what was dropped.

    ``nulls`` counts absent keys, ``None`` and NaN; ``invalid`` counts values that are not
    of the feature's type (for numeric features this includes +/-inf, which Evidently also
    drops before testing).
    """

    array: NDArray[np.float64] | NDArray[np.str_]
    nulls: int
    invalid: int

    @property
    def size(self) -> int:
        return int(self.array.size)


def boolean_label(value: object) -> str | None:
    """``"true"`` / ``"false"`` for a boolean-like value, None when it is not one."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer) and value in (0, 1):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
    return None


def category_label(value: object) -> str | None:
    """The label of a categorical value: booleans as ``true``/``false``, other scalars
    ``str()``; None for a list or object, which is not a category."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return None
    return str(value)


def _is_null(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def numeric_values(raw: Iterable[object]) -> Values:
    """Finite float64 values; booleans and strings count as invalid, not as numbers."""
    kept: list[float] = []
    nulls = invalid = 0
    for value in raw:
        if _is_null(value):
            nulls += 1
        elif isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool | np.bool_
        ):
            number = float(value)
            if math.isfinite(number):
                kept.append(number)
            else:
                invalid += 1
        else:
            invalid += 1
    return Values(np.asarray(kept, dtype=np.float64), nulls, invalid)


def label_values(raw: Iterable[object], kind: FeatureType) -> Values:
    """Category labels of a ``categorical`` or ``boolean`` feature."""
    kept: list[str] = []
    nulls = invalid = 0
    for value in raw:
        if _is_null(value):
            nulls += 1
            continue
        label = boolean_label(value) if kind == "boolean" else category_label(value)
        if label is None:
            invalid += 1
        else:
            kept.append(label)
    return Values(np.asarray(kept, dtype=np.str_), nulls, invalid)


def feature_values(raw: Iterable[object], kind: FeatureType) -> Values:
    """Values of a feature of any supported kind; raises ValueError for other kinds."""
    if kind == "numeric":
        return numeric_values(raw)
    if kind in ("categorical", "boolean"):
        return label_values(raw, kind)
    raise ValueError(f"no value conversion for {kind} features")
