"""What a drift signal records beside its value: the method, the test, the verdict, the data.

Everything here ends up in ``Signal.details`` (JSON), so numbers are finite or null and
categories are listed only as the few most frequent ones on each side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.column_drift import ColumnDrift
from detectors.config import DriftConfig
from detectors.decision import WindowVerdict
from detectors.methods.base import finite_or_none
from detectors.values import Values
from detectors.window_drift import ColumnOutcome
from store.specs import FeatureType

#: How many categories ``details`` lists for each side.
TOP_CATEGORIES = 5


def top_shares(labels: NDArray[Any]) -> dict[str, float]:
    """The most frequent categories and their share of the values, most frequent first."""
    if labels.size == 0:
        return {}
    categories, counts = np.unique(labels, return_counts=True)
    order = np.lexsort((categories, -counts))[:TOP_CATEGORIES]
    return {str(categories[i]): float(counts[i] / labels.size) for i in order}


def summary(kind: FeatureType, reference: NDArray[Any], current: NDArray[Any]) -> dict[str, Any]:
    """Where each side sits: means and spread for numbers, top categories otherwise."""
    if kind != "numeric":
        return {"reference_top": top_shares(reference), "current_top": top_shares(current)}
    found: dict[str, Any] = {}
    if reference.size:
        found["reference_mean"] = float(reference.mean())
        found["reference_std"] = float(reference.std())
    if current.size:
        found["current_mean"] = float(current.mean())
    return found


def _test(column: ColumnDrift, verdict: WindowVerdict, config: DriftConfig) -> dict[str, Any]:
    if column.result is None:
        return {}
    found: dict[str, Any] = {
        "statistic": finite_or_none(column.result.statistic),
        "effect_size": column.result.effect_size,
    }
    if column.result.p_value is not None:
        found.update(
            p_value=column.result.p_value, p_adjusted=verdict.p_adjusted, alpha=config.alpha
        )
    return found


def drift_details(
    kind: FeatureType,
    outcome: ColumnOutcome,
    values: Values | None,
    reference: NDArray[Any] | None,
    config: DriftConfig,
) -> dict[str, Any]:
    """The details of one feature's drift signal."""
    column, verdict = outcome.drift, outcome.verdict
    details: dict[str, Any] = {"method": column.method, "automatic": column.automatic}
    if reference is not None:
        details["reference_size"] = int(reference.size)
    if values is not None:
        details.update(current_nulls=values.nulls, current_invalid=values.invalid)
        if reference is not None:
            details.update(summary(kind, reference, values.array))
    details.update(_test(column, verdict, config))
    if column.reason is not None:
        details["reason"] = column.reason
        return details
    details["window_drifted"] = verdict.drifted
    details["persistence"] = {
        "k": config.persistence.k,
        "m": config.persistence.m,
        "drifted_windows": outcome.persistence.drifted_windows,
        "windows": outcome.persistence.windows,
    }
    return details
