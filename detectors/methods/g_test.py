"""G-test (log-likelihood ratio) of the current categories against the reference's shares.

Evidently 0.7's ``g_test`` stattest (``.../stattests/g_stattest.py``) passes the *raw*
reference counts as expected frequencies::

    scipy.stats.power_divergence(current_counts, reference_counts, lambda_="log-likelihood")

scipy requires observed and expected totals to agree, so Evidently's G-test raises unless
reference and current have the same size. **Vigil scales the expected counts to the current
size**, as Evidently's own chi-square does; for equal sizes the two agree (the parity tests
use equal sizes). As with chi-square, a category the reference never had gives an infinite
statistic and p = 0. The effect size is the total variation distance. Not computable with a
single category on both sides.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.chi_square import single_category
from detectors.methods.counts import category_counts, total_variation_from_counts


def g_test_from_counts(
    reference_counts: NDArray[np.integer], current_counts: NDArray[np.integer]
) -> MethodResult:
    """The G statistic, its p-value and the TVD, from aligned counts."""
    from scipy import stats

    expected = reference_counts * (current_counts.sum() / reference_counts.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # division by a zero expectation
        result = stats.power_divergence(current_counts, expected, lambda_="log-likelihood")
    return MethodResult(
        statistic=float(result.statistic),
        effect_size=total_variation_from_counts(reference_counts, current_counts),
        p_value=float(result.pvalue),
    )


def g_test(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """G-test of two non-empty label arrays."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return g_test_from_counts(reference_counts, current_counts)


G_TEST = DriftMethod(
    name="g_test",
    title="G-test (effect size: total variation distance)",
    kinds=frozenset({"categorical", "boolean"}),
    default_threshold=0.05,
    function=g_test,
    evidently="g_test",
    has_p_value=True,
    undefined_reason=single_category,
)
