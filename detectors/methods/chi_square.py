"""Chi-square goodness-of-fit test of the current categories against the reference's shares.

Matches Evidently 0.7's ``chisquare`` stattest (``.../stattests/chisquare_stattest.py``)::

    f_exp = reference_counts * (n_current / n_reference)
    p = scipy.stats.chisquare(current_counts, f_exp).pvalue

over the union of categories. A category the reference never had makes its expected
count zero, so the statistic is infinite and the p-value 0 -- in Evidently and here (the
statistic is then reported as null). The effect size is the total variation distance
(:mod:`detectors.methods.counts`). Not computable with a single category on both sides:
the test has no degrees of freedom (scipy returns NaN).

Evidently also picks this test for numeric columns with 3 to 5 distinct values and a small
reference; their values are the categories.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult
from detectors.methods.counts import category_counts, total_variation_from_counts


def chi_square_from_counts(
    reference_counts: NDArray[np.integer], current_counts: NDArray[np.integer]
) -> MethodResult:
    """The chi-square statistic, its p-value and the TVD, from aligned counts."""
    from scipy import stats

    expected = reference_counts * (current_counts.sum() / reference_counts.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # division by a zero expectation
        result = stats.chisquare(current_counts, expected)
    return MethodResult(
        statistic=float(result.statistic),
        effect_size=total_variation_from_counts(reference_counts, current_counts),
        p_value=float(result.pvalue),
    )


def chi_square(reference: NDArray[Any], current: NDArray[Any]) -> MethodResult:
    """Chi-square test of two non-empty label arrays."""
    _, reference_counts, current_counts = category_counts(reference, current)
    return chi_square_from_counts(reference_counts, current_counts)


def single_category(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    """One category on both sides: a test on category shares has nothing to compare."""
    first = reference[0]
    if bool(np.all(reference == first)) and bool(np.all(current == first)):
        return "a single category on both sides: the test has no degrees of freedom"
    return None


CHI_SQUARE = DriftMethod(
    name="chisquare",
    title="Chi-square test (effect size: total variation distance)",
    kinds=frozenset({"categorical", "boolean"}),
    default_threshold=0.05,
    function=chi_square,
    evidently="chisquare",
    has_p_value=True,
    undefined_reason=single_category,
)
