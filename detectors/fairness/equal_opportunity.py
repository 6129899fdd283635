"""Equal opportunity: are truly positive cases found at the same rate in every group?

The largest minus the smallest true positive rate (recall) across groups.
"""

from __future__ import annotations

from detectors.fairness.base import FairnessMetric, difference
from detectors.fairness.group_rates import GroupRates
from detectors.metrics import MetricValue


def equal_opportunity_difference(rates: GroupRates) -> MetricValue:
    return difference(rates.tpr, "the true positive rate")


EQUAL_OPPORTUNITY_DIFFERENCE = FairnessMetric(
    "equal_opportunity_difference", equal_opportunity_difference, None, 0.1,
    "largest minus smallest true positive rate across groups",
)  # fmt: skip
