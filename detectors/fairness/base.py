"""A fairness metric's record, and the spread of one rate across groups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from detectors.fairness.group_rates import GroupRates, Rates
from detectors.metrics import MetricValue, NotComputable


@dataclass(frozen=True)
class FairnessMetric:
    """A comparison of groups: its function, its default bound and what it means."""

    name: str
    compute: Callable[[GroupRates], MetricValue]
    default_min: float | None
    default_max: float | None
    description: str


def defined(rates: Rates, what: str) -> Rates | NotComputable:
    """The rates of the groups where ``what`` is defined; at least two are needed."""
    found = rates[~np.isnan(rates)]
    if len(found) < 2:
        return NotComputable(f"{what} is defined for fewer than two groups")
    return found


def difference(rates: Rates, what: str) -> MetricValue:
    """Largest minus smallest rate across groups (fairlearn's ``between_groups``)."""
    found = defined(rates, what)
    return found if isinstance(found, NotComputable) else float(found.max() - found.min())


def ratio(rates: Rates, what: str) -> MetricValue:
    """Smallest over largest rate across groups; not computable when every rate is 0."""
    found = defined(rates, what)
    if isinstance(found, NotComputable):
        return found
    if found.max() == 0:
        return NotComputable(f"{what} is 0 in every group")
    return float(found.min() / found.max())
