"""Which method a column gets when the config names none: Evidently 0.7's defaults.

Copied from ``_get_default_stattest`` in ``evidently/legacy/calculations/stattests/registry.py``
(which ``get_stattest`` calls when no stattest is configured). "Reference values" are the
reference's non-null (and, for numbers, finite) values; "distinct values" are counted over
reference and current together.

==========================  ================  ===============  =================
kind                        reference values  distinct values  method
==========================  ================  ===============  =================
numeric                     <= 1000           <= 2             ``z``
numeric                     <= 1000           3 to 5           ``chisquare``
numeric                     <= 1000           > 5              ``ks``
numeric                     > 1000            <= 5             ``jensen_shannon``
numeric                     > 1000            > 5              ``wasserstein``
categorical, boolean        <= 1000           <= 2             ``z``
categorical, boolean        <= 1000           > 2              ``chisquare``
categorical, boolean        > 1000            any              ``jensen_shannon``
text, embedding             --                --               none (not computable)
==========================  ================  ===============  =================

Small references get tests with p-values, which account for the sample size; large ones
get distances, because on many rows every test finds a "significant" difference. Numeric
columns with at most five distinct values are treated as categories. A per-feature
``method`` in the config (:class:`detectors.config.FeatureMethod`) overrides this table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from store.specs import FeatureType

#: Evidently's boundary between a small reference (tests) and a large one (distances).
SMALL_REFERENCE = 1000
#: Numeric columns with at most this many distinct values are compared as categories.
FEW_VALUES = 5
#: At most this many distinct values: a two-proportion Z-test.
BINARY = 2


def distinct_count_at_most(
    reference: NDArray[Any], current: NDArray[Any], limit: int
) -> int | None:
    """The number of distinct values of both arrays together when it is at most ``limit``,
    else None (decided from a prefix of the reference when that already has more)."""
    if np.unique(reference[:4096]).size > limit:
        return None
    count = int(np.unique(np.concatenate([reference, current])).size)
    return count if count <= limit else None


def _by_categories(distinct: int | None) -> str:
    return "z" if distinct is not None and distinct <= BINARY else "chisquare"


def choose_method(kind: FeatureType, reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    """The default method for a column (see the table above), or None when no method applies."""
    small = reference.size <= SMALL_REFERENCE
    if kind == "numeric":
        distinct = distinct_count_at_most(reference, current, FEW_VALUES)
        if distinct is not None:
            return _by_categories(distinct) if small else "jensen_shannon"
        return "ks" if small else "wasserstein"
    if kind in ("categorical", "boolean"):
        if not small:
            return "jensen_shannon"
        return _by_categories(distinct_count_at_most(reference, current, BINARY))
    return None
