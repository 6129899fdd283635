"""Two-sample Cramér-von Mises test (numeric features).

Evidently 0.7's ``cramer_von_mises`` stattest (``.../stattests/cramer_von_mises_stattest.py``)
is a copy of ``scipy.stats.cramervonmises_2samp`` (midranks for ties; exact p-value when
neither sample has more than 20 values, the asymptotic one otherwise); we call scipy's.
Evidently calls it drift when ``p <= threshold``; Vigil corrects the p-value for multiple
testing first (:mod:`detectors.decision`).

The statistic is ``T``; the effect size is the KS distance ``D``
(:mod:`detectors.methods.ecdf`). Not computable with fewer than two values on a side
(scipy's requirement), or when every value on both sides is the same: the tie correction
then yields a spurious p-value (about 0.04 for two samples of one constant).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.methods.anderson_darling import single_value
from detectors.methods.base import DriftMethod, MethodResult, too_few_for_a_test
from detectors.methods.ecdf import ks_distance


def cramer_von_mises(reference: NDArray[np.float64], current: NDArray[np.float64]) -> MethodResult:
    """The statistic ``T``, its p-value and the KS distance."""
    from scipy import stats

    result = stats.cramervonmises_2samp(reference, current)
    return MethodResult(
        statistic=float(result.statistic),
        effect_size=ks_distance(reference, current),
        p_value=float(result.pvalue),
    )


def undefined(reference: NDArray[Any], current: NDArray[Any]) -> str | None:
    return too_few_for_a_test(reference, current) or single_value(reference, current)


CRAMER_VON_MISES = DriftMethod(
    name="cramer_von_mises",
    title="Cramér-von Mises test (effect size: KS distance D)",
    kinds=frozenset({"numeric"}),
    default_threshold=0.05,
    function=cramer_von_mises,
    evidently="cramer_von_mises",
    has_p_value=True,
    undefined_reason=undefined,
)
