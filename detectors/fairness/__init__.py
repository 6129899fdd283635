"""Fairness metrics: one comparison of groups per module, collected in one mapping.

Each takes the :class:`~detectors.fairness.group_rates.GroupRates` of a protected
attribute's groups and returns a float or a
:class:`~detectors.metrics.base.NotComputable`. Values equal fairlearn's
(``tests/detectors/test_fairness_parity.py``).

=============================  ===========================  =============
name                           compares                     default bound
=============================  ===========================  =============
demographic_parity_difference  selection rate, max - min    max 0.1
demographic_parity_ratio       selection rate, min / max    min 0.8
equal_opportunity_difference   TPR, max - min               max 0.1
equalized_odds_difference      max(TPR diff, FPR diff)      max 0.1
predictive_parity_difference   precision, max - min         max 0.1
=============================  ===========================  =============
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from detectors.fairness.base import FairnessMetric
from detectors.fairness.demographic_parity import (
    DEMOGRAPHIC_PARITY_DIFFERENCE,
    DEMOGRAPHIC_PARITY_RATIO,
)
from detectors.fairness.equal_opportunity import EQUAL_OPPORTUNITY_DIFFERENCE
from detectors.fairness.equalized_odds import EQUALIZED_ODDS_DIFFERENCE
from detectors.fairness.group_rates import GroupRates, group_rates
from detectors.fairness.predictive_parity import PREDICTIVE_PARITY_DIFFERENCE

#: Every built-in fairness metric by name.
FAIRNESS_METRICS: Mapping[str, FairnessMetric] = MappingProxyType(
    {
        m.name: m
        for m in (
            DEMOGRAPHIC_PARITY_DIFFERENCE,
            DEMOGRAPHIC_PARITY_RATIO,
            EQUAL_OPPORTUNITY_DIFFERENCE,
            EQUALIZED_ODDS_DIFFERENCE,
            PREDICTIVE_PARITY_DIFFERENCE,
        )
    }
)

__all__ = ["FAIRNESS_METRICS", "FairnessMetric", "GroupRates", "group_rates"]
