"""Predictive parity: does a positive prediction mean the same in every group?

The largest minus the smallest precision (positive predictive value) across groups.
"""

from __future__ import annotations

from detectors.fairness.base import FairnessMetric, difference
from detectors.fairness.group_rates import GroupRates
from detectors.metrics import MetricValue


def predictive_parity_difference(rates: GroupRates) -> MetricValue:
    return difference(rates.precision, "precision")


PREDICTIVE_PARITY_DIFFERENCE = FairnessMetric(
    "predictive_parity_difference", predictive_parity_difference, None, 0.1,
    "largest minus smallest precision across groups",
)  # fmt: skip
