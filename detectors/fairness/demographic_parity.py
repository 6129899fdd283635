"""Demographic parity: do groups get positive predictions at the same rate?

The difference is the largest minus the smallest selection rate; the ratio the smallest
over the largest. The four-fifths rule of US employment law flags a ratio below 0.8.
"""

from __future__ import annotations

from detectors.fairness.base import FairnessMetric, difference, ratio
from detectors.fairness.group_rates import GroupRates
from detectors.metrics import MetricValue


def demographic_parity_difference(rates: GroupRates) -> MetricValue:
    return difference(rates.selection_rate, "the selection rate")


def demographic_parity_ratio(rates: GroupRates) -> MetricValue:
    return ratio(rates.selection_rate, "the selection rate")


DEMOGRAPHIC_PARITY_DIFFERENCE = FairnessMetric(
    "demographic_parity_difference", demographic_parity_difference, None, 0.1,
    "largest minus smallest selection rate across groups",
)  # fmt: skip
DEMOGRAPHIC_PARITY_RATIO = FairnessMetric(
    "demographic_parity_ratio", demographic_parity_ratio, 0.8, None,
    "smallest over largest selection rate (four-fifths rule: at least 0.8)",
)  # fmt: skip
