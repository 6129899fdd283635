"""k-sample Anderson-Darling test of two samples (numeric features).

Matches Evidently 0.7's ``anderson`` stattest (``.../stattests/anderson_darling_stattest.py``):
the p-value of ``scipy.stats.anderson_ksamp([reference, current])`` with midranks for ties.
scipy interpolates that p-value from a table, so it is **floored at 0.001 and capped at
0.25** (scipy warns; we do not pass the warning on). A floor of 0.001 still passes the
Benjamini-Hochberg correction at alpha 0.05 for up to 50 tested features.

The statistic is scipy's normalised ``A2akN``; it weighs the tails more than
Kolmogorov-Smirnov does. The effect size is the KS distance ``D``
(:mod:`detectors.methods.ecdf`). Not computable when every value on both sides is the same
(scipy needs two distinct values) or with fewer than three values in all.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.ecdf import ks_distance


def _anderson_ksamp(samples: list[NDArray[np.float64]]) -> Any:
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # p-value floored/capped; midrank rename
        try:
            return stats.anderson_ksamp(samples, variant="midrank")
        except TypeError:  # scipy before 1.17 has no ``variant``; midranks are its default
            return stats.anderson_ksamp(samples)


def anderson_darling(reference: NDArray[np.float64], current: NDArray[np.float64]) -> MethodResult:
    """The normalised AD statistic, its p-value (in [0.001, 0.25]) and the KS distance."""
    result = _anderson_ksamp([reference, current])
    return MethodResult(
        statistic=float(result.statistic),
        effect_size=ks_distance(reference, current),
        p_value=float(result.pvalue),
    )


def single_value(reference: NDArray[np.float64], current: NDArray[np.float64]) -> str | None:
    """Both sides hold one and the same value: the rank statistic is undefined."""
    low = min(reference.min(), current.min())
    if reference.max() == low and current.max() == low:
        return "every value on both sides is the same: the test needs two distinct values"
    return None


def undefined(reference: NDArray[np.float64], current: NDArray[np.float64]) -> str | None:
    """scipy's variance formula needs three values in all, and two distinct ones."""
    if reference.size + current.size < 3:
        return "the Anderson-Darling test needs at least 3 values on both sides together"
    return single_value(reference, current)


ANDERSON_DARLING = DriftMethod(
    name="anderson",
    title="Anderson-Darling k-sample test (effect size: KS distance D)",
    kinds=frozenset({"numeric"}),
    default_threshold=0.05,
    function=anderson_darling,
    evidently="anderson",
    has_p_value=True,
    undefined_reason=undefined,
)
