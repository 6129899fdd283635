"""Two-sample Kolmogorov-Smirnov test (numeric features).

Matches Evidently 0.7's ``ks`` stattest (``.../stattests/ks_stattest.py``): the p-value of
``scipy.stats.ks_2samp(reference, current)`` (two-sided, ``method="auto"``: exact for
samples up to 10,000 values, asymptotic beyond). Evidently calls it drift when
``p <= threshold`` (0.05); Vigil reports the same p-value and judges it after the
Benjamini-Hochberg correction across the model's features (:mod:`detectors.decision`).

The effect size is the test's own statistic ``D``, the largest difference between the two
empirical CDFs (:mod:`detectors.methods.ecdf`). Defined for any non-empty samples: two equal
constants give ``D = 0, p = 1``; two different constants ``D = 1``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.methods.base import DriftMethod, MethodResult


def kolmogorov_smirnov(
    reference: NDArray[np.float64], current: NDArray[np.float64]
) -> MethodResult:
    """KS distance ``D`` (statistic and effect size) and its two-sided p-value."""
    from scipy import stats

    result = stats.ks_2samp(reference, current)
    distance = float(result.statistic)
    return MethodResult(statistic=distance, effect_size=distance, p_value=float(result.pvalue))


KOLMOGOROV_SMIRNOV = DriftMethod(
    name="ks",
    title="Kolmogorov-Smirnov test (effect size: KS distance D)",
    kinds=frozenset({"numeric"}),
    default_threshold=0.05,
    function=kolmogorov_smirnov,
    evidently="ks",
    has_p_value=True,
)
