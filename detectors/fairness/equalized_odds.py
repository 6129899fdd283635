"""Equalized odds: equal true positive **and** false positive rates across groups.

The larger of the TPR difference and the FPR difference (fairlearn's ``worst_of``).
"""

from __future__ import annotations

from detectors.fairness.base import FairnessMetric, difference
from detectors.fairness.group_rates import GroupRates
from detectors.metrics import MetricValue, NotComputable


def equalized_odds_difference(rates: GroupRates) -> MetricValue:
    tpr = difference(rates.tpr, "the true positive rate")
    fpr = difference(rates.fpr, "the false positive rate")
    if isinstance(tpr, NotComputable):
        return tpr
    if isinstance(fpr, NotComputable):
        return fpr
    return max(tpr, fpr)


EQUALIZED_ODDS_DIFFERENCE = FairnessMetric(
    "equalized_odds_difference", equalized_odds_difference, None, 0.1,
    "the larger of the TPR and FPR differences across groups",
)  # fmt: skip
