"""Data quality checks as pure functions of arrays and counts.

Each check returns a :class:`Finding`: a value, the threshold it is judged by, a status and
the details a reader needs. Shared by the scheduled quality detector
(:mod:`detectors.quality`) and the release gate (:mod:`detectors.check`). A check that
cannot say anything returns ``not_computable`` with ``details["reason"]``, never NaN.

=====================  ====================================  ==============================
check                  value                                 breach when
=====================  ====================================  ==============================
``missing_rate``       share of rows without a usable value  above the reference's + margin
``out_of_range``       share of numbers outside ref min..max above ``out_of_range_share``
``unseen_categories``  share of values in new categories     above ``unseen_category_share``
``duplicates``         share of rows repeating an earlier id above ``duplicate_share``
``volume``             window count / median of baseline     below drop or above spike ratio
``freshness``          minutes since the last event          above ``max_silence``
=====================  ====================================  ==============================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from store.records import SignalStatus

#: How many unseen categories ``details`` lists.
LISTED_CATEGORIES = 5


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one check for one feature (or for the model, ``feature=None``)."""

    check: str
    feature: str | None
    value: float | None
    threshold: float | None
    status: SignalStatus
    sample_size: int
    details: dict[str, Any] = field(default_factory=dict)


def not_computable(check: str, feature: str | None, reason: str, size: int = 0) -> Finding:
    return Finding(check, feature, None, None, "not_computable", size, {"reason": reason})


def _judged(
    check: str, feature: str | None, value: float, threshold: float, size: int, **details: Any
) -> Finding:
    status: SignalStatus = "breach" if value > threshold else "ok"
    return Finding(check, feature, value, threshold, status, size, details)


def missing_rate(
    feature: str, rows: int, missing: int, reference_rate: float, margin: float
) -> Finding:
    """Missing share of ``rows`` against the reference's missing share plus ``margin``."""
    if rows == 0:
        return not_computable("missing_rate", feature, "no rows in the current data")
    return _judged(
        "missing_rate", feature, missing / rows, min(reference_rate + margin, 1.0), rows,
        missing=missing, reference_missing_rate=reference_rate,
    )  # fmt: skip


def out_of_range(
    feature: str, reference: NDArray[np.float64], current: NDArray[np.float64], limit: float
) -> Finding:
    """Share of finite current values outside the reference's finite min..max."""
    if reference.size < 2:
        reason = f"the reference has {reference.size} finite value(s): no range to compare with"
        return not_computable("out_of_range", feature, reason)
    if current.size == 0:
        return not_computable("out_of_range", feature, "no finite values in the current data")
    low, high = float(reference.min()), float(reference.max())
    below = int(np.count_nonzero(current < low))
    above = int(np.count_nonzero(current > high))
    return _judged(
        "out_of_range", feature, (below + above) / current.size, limit, current.size,
        reference_min=low, reference_max=high, below=below, above=above,
    )  # fmt: skip


def unseen_categories(
    feature: str,
    reference: NDArray[Any],
    current: NDArray[Any],
    limit: float,
    names: NDArray[Any] | None = None,
) -> Finding:
    """Share of current values whose category the reference never had. With ``names``, the
    values are codes into it (its labels are listed as examples)."""
    if reference.size < 2:
        reason = f"the reference has {reference.size} value(s): too few to know its categories"
        return not_computable("unseen_categories", feature, reason)
    if current.size == 0:
        return not_computable("unseen_categories", feature, "no values in the current data")
    unseen = ~np.isin(current, np.unique(reference))
    categories, counts = np.unique(current[unseen], return_counts=True)
    listed = np.argsort(-counts, kind="stable")[:LISTED_CATEGORIES]
    return _judged(
        "unseen_categories", feature, float(unseen.mean()), limit, current.size,
        unseen_values=int(unseen.sum()), unseen_distinct=int(categories.size),
        examples=[str(categories[i] if names is None else names[categories[i]]) for i in listed],
    )  # fmt: skip


def duplicates(ids: NDArray[Any], limit: float) -> Finding:
    """Share of rows whose request id already appeared (the first occurrence is not counted)."""
    if ids.size == 0:
        return not_computable("duplicates", None, "no request ids in the current data")
    repeated = int(ids.size - np.unique(ids).size)
    return _judged("duplicates", None, repeated / ids.size, limit, ids.size, repeated=repeated)


def volume(count: int, baseline: Sequence[int], drop: float, spike: float) -> Finding:
    """The window's event count against the median of the baseline windows' counts."""
    if not baseline:
        return not_computable("volume", None, "no baseline windows")
    median = float(np.median(baseline))
    if median == 0:
        reason = f"no traffic in the median of the {len(baseline)} baseline windows"
        return not_computable("volume", None, reason, count)
    ratio = count / median
    status: SignalStatus = "breach" if ratio < drop or ratio > spike else "ok"
    threshold = drop if ratio < 1 else spike
    details = {"count": count, "baseline_median": median, "drop_ratio": drop, "spike_ratio": spike}
    return Finding("volume", None, ratio, threshold, status, count, details)


def freshness(minutes_since_last: float | None, limit_minutes: float) -> Finding:
    """Minutes since the model's last event against the allowed silence."""
    if minutes_since_last is None:
        return not_computable("freshness", None, "no event received for this model yet")
    return _judged("freshness", None, max(minutes_since_last, 0.0), limit_minutes, 0)
