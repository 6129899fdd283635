"""Turning a model's tabular features into row matrices the multivariate methods share.

Reference rows come from :class:`detectors.reference.Reference` (numeric arrays and
row-aligned labels), current rows from the window's feature dicts. Both become float64
matrices with one column per usable feature:

- ``numeric``: the value; null, non-finite or of the wrong type is NaN;
- ``categorical`` / ``boolean``: the code of the label among the reference's categories
  (most frequent first, at most ``MAX_CATEGORIES``); a label the reference lacks, or one
  past the limit, gets the code ``n`` (one "other" code); null is NaN.

Features the collector hashes or drops (``pii``), ``text`` and ``embedding`` features and
features missing from the reference are left out; :func:`tabular_matrix` says which and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.reference import Reference
from detectors.values import boolean_label, category_label
from store.specs import FeatureSpec

#: Categories kept per feature; the histogram-gradient-boosting classifier allows 255 codes.
MAX_CATEGORIES = 200


@dataclass(frozen=True)
class Matrix:
    """Reference and current rows on the same columns."""

    names: tuple[str, ...]
    categorical: NDArray[np.bool_]
    reference: NDArray[np.float64]
    current: NDArray[np.float64]
    #: Features left out, with the reason.
    skipped: dict[str, str] = field(default_factory=dict)


def _number(value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        return np.nan
    number = float(value)
    return number if np.isfinite(number) else np.nan


def _codes(labels: Sequence[object], categories: Mapping[str, int], other: int) -> NDArray[Any]:
    return np.array(
        [np.nan if label is None else categories.get(str(label), other) for label in labels],
        dtype=np.float64,
    )


def _categories(aligned: NDArray[np.object_]) -> dict[str, int]:
    present = [label for label in aligned if label is not None]
    if not present:
        return {}
    labels, counts = np.unique(np.asarray(present, dtype=np.str_), return_counts=True)
    order = np.lexsort((labels, -counts))[:MAX_CATEGORIES]
    return {str(labels[i]): code for code, i in enumerate(order)}


def _skip_reason(feature: FeatureSpec, reference: Reference) -> str | None:
    if feature.pii is not None:
        return f"the collector {'hashes' if feature.pii == 'hash' else 'drops'} it (pii)"
    if feature.type not in ("numeric", "categorical", "boolean"):
        return f"{feature.type} features are not part of the tabular matrix"
    if feature.type == "numeric" and feature.name not in reference.numeric:
        return "not in the loaded reference dataset"
    if feature.type != "numeric" and feature.name not in reference.aligned_labels:
        return "not in the loaded reference dataset"
    return None


def tabular_matrix(
    features: Sequence[FeatureSpec], reference: Reference, rows: Sequence[Mapping[str, Any]]
) -> Matrix:
    """The reference's rows and the window's rows as matrices (see the module docstring)."""
    names: list[str] = []
    kinds: list[bool] = []
    ref_columns: list[NDArray[np.float64]] = []
    cur_columns: list[NDArray[np.float64]] = []
    skipped: dict[str, str] = {}
    for feature in features:
        reason = _skip_reason(feature, reference)
        if reason is not None:
            skipped[feature.name] = reason
            continue
        raw = [row.get(feature.name) for row in rows]
        if feature.type == "numeric":
            ref = np.array(reference.numeric[feature.name], dtype=np.float64)
            ref[~np.isfinite(ref)] = np.nan
            cur = np.array([_number(v) for v in raw], dtype=np.float64)
        else:
            categories = _categories(reference.aligned_labels[feature.name])
            convert = boolean_label if feature.type == "boolean" else category_label
            ref = _codes(list(reference.aligned_labels[feature.name]), categories, len(categories))
            cur = _codes(
                [None if v is None else convert(v) for v in raw], categories, len(categories)
            )
        names.append(feature.name)
        kinds.append(feature.type != "numeric")
        ref_columns.append(ref)
        cur_columns.append(cur)
    return Matrix(
        names=tuple(names),
        categorical=np.array(kinds, dtype=bool),
        reference=np.column_stack(ref_columns) if ref_columns else np.empty((reference.rows, 0)),
        current=np.column_stack(cur_columns) if cur_columns else np.empty((len(rows), 0)),
        skipped=skipped,
    )


def sample_rows(
    matrix: NDArray[np.float64], size: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """At most ``size`` rows, drawn without replacement (all of them when fewer)."""
    if matrix.shape[0] <= size:
        return matrix
    return matrix[np.sort(rng.choice(matrix.shape[0], size=size, replace=False))]
