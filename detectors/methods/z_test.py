"""Two-proportion Z-test (binary categorical features).

Matches Evidently 0.7's ``z`` stattest (``.../stattests/z_stattest.py``), which Evidently
picks for columns with at most two distinct values and a reference of at most 1,000 values:
the first category (in sorted order) is coded 0, the other 1, and

    p1, p2 = share of 1 in reference, current;  P = pooled share
    z = (p1 - p2) / sqrt(P (1 - P) (1/n1 + 1/n2));  p = 2 (1 - Phi(|z|))

One and the same category on both sides gives ``p = 1`` (Evidently's special case; the
formula would divide by zero). More than two categories are not computable (Evidently
would silently test the first category against all others; use chi-square). The
statistic is ``z``; the effect size is ``|p1 - p2|``, the total variation distance.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.counts import category_counts


def z_test_from_counts(
    reference_counts: NDArray[np.integer], current_counts: NDArray[np.integer]
) -> MethodResult:
    """Z-test of two count vectors over one or two categories (second = coded 1)."""
    n1, n2 = int(reference_counts.sum()), int(current_counts.sum())
    if reference_counts.size < 2:
        return MethodResult(statistic=0.0, effect_size=0.0, p_value=1.0)
    p1 = float(reference_counts[1]) / n1
    p2 = float(current_counts[1]) / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    p_value = math.erfc(abs(z) / math.sqrt(2.0))
    return MethodResult(statistic=z, effect_size=abs(p1 - p2), p_value=p_value)


def z_test(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """Z-test of two non-empty label arrays with at most two categories."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return z_test_from_counts(reference_counts, current_counts)


def more_than_two_categories(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    count = np.unique(np.concatenate([reference, current])).size
    if count > 2:
        return f"the Z-test compares two categories; the data has {count} (use chisquare)"
    return None


Z_TEST = DriftMethod(
    name="z",
    title="Two-proportion Z-test (effect size: difference of shares)",
    kinds=frozenset({"categorical", "boolean"}),
    default_threshold=0.05,
    function=z_test,
    evidently="z",
    has_p_value=True,
    undefined_reason=more_than_two_categories,
)
