"""Fisher's exact test on the 2x2 table of two categories by side (categorical features).

Evidently 0.7's ``fisher_exact`` stattest (``.../stattests/fisher_exact_stattest.py``) builds
the table ``[[current_a, current_b], [reference_a, reference_b]]`` and returns the two-sided
p-value of ``scipy.stats.fisher_exact``. It also raises unless reference and current have the
**same length** -- a check the test itself does not need, which Vigil drops -- and maps
extra categories to NaN when there are more than two. Vigil instead reports more than two
categories as not computable (use chi-square). The two-sided p-value does not depend on
which category is counted first.

The statistic is scipy's (conditional maximum likelihood) odds ratio -- null when it is
undefined or infinite (an empty cell); the effect size is the total variation distance,
here the difference between the two shares of either category.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.counts import category_counts, total_variation_from_counts


def fisher_exact_from_counts(
    reference_counts: NDArray[np.integer], current_counts: NDArray[np.integer]
) -> MethodResult:
    """Fisher's exact test of two count vectors over at most two categories."""
    from scipy import stats

    ref = np.zeros(2, dtype=np.int64)
    cur = np.zeros(2, dtype=np.int64)
    ref[: reference_counts.size] = reference_counts
    cur[: current_counts.size] = current_counts
    odds_ratio, p_value = stats.fisher_exact(np.array([cur, ref]))
    return MethodResult(
        statistic=float(odds_ratio),
        effect_size=total_variation_from_counts(ref, cur),
        p_value=float(p_value),
    )


def fisher_exact(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """Fisher's exact test of two non-empty label arrays with at most two categories."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return fisher_exact_from_counts(reference_counts, current_counts)


def more_than_two_categories(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    count = np.unique(np.concatenate([reference, current])).size
    if count > 2:
        return f"Fisher's exact test compares two categories; the data has {count}"
    return None


FISHER_EXACT = DriftMethod(
    name="fisher_exact",
    title="Fisher's exact test, 2x2 (effect size: total variation distance)",
    kinds=frozenset({"categorical", "boolean"}),
    default_threshold=0.05,
    function=fisher_exact,
    evidently="fisher_exact",
    has_p_value=True,
    undefined_reason=more_than_two_categories,
)
