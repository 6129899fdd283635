"""Per-group confusion counts and rates: what every fairness metric compares.

One pass over a window (``np.unique`` and ``bincount``, no loop over rows): for each group,
its size and its selection rate ``P(ŷ=1)``, true and false positive rates, false negative
rate and precision. A rate without a denominator (TPR of a group without positive labels)
is NaN, and fairness metrics leave that group out of the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Rates = NDArray[np.float64]


@dataclass(frozen=True)
class GroupRates:
    """The rates of every group, parallel arrays indexed like ``groups``."""

    groups: tuple[str, ...]
    size: NDArray[np.int64]
    selection_rate: Rates
    tpr: Rates
    fpr: Rates
    fnr: Rates
    precision: Rates

    def table(self) -> dict[str, dict[str, float | int | None]]:
        """The rates by group, JSON-ready (NaN as None), for a signal's details."""

        def cell(value: float) -> float | None:
            return None if np.isnan(value) else float(value)

        return {
            group: {
                "size": int(self.size[i]),
                "selection_rate": cell(self.selection_rate[i]),
                "tpr": cell(self.tpr[i]),
                "fpr": cell(self.fpr[i]),
                "fnr": cell(self.fnr[i]),
                "precision": cell(self.precision[i]),
            }
            for i, group in enumerate(self.groups)
        }

    def keep(self, mask: NDArray[np.bool_]) -> GroupRates:
        """Only the groups where ``mask`` is true."""
        return GroupRates(
            tuple(g for g, k in zip(self.groups, mask, strict=True) if k),
            self.size[mask], self.selection_rate[mask], self.tpr[mask], self.fpr[mask],
            self.fnr[mask], self.precision[mask],
        )  # fmt: skip


def _rate(num: NDArray[np.float64], den: NDArray[np.float64]) -> Rates:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def group_rates(
    y_true: NDArray[np.int64], y_pred: NDArray[np.int64], group: NDArray[np.str_]
) -> GroupRates:
    """The rates of each distinct value of ``group`` (0/1 ``y_true`` and ``y_pred``)."""
    names, index = np.unique(group, return_inverse=True)
    k = len(names)

    def count(mask: NDArray[np.bool_]) -> NDArray[np.float64]:
        counts = np.bincount(index, weights=mask.astype(np.float64), minlength=k)
        return np.asarray(counts, dtype=np.float64)

    truth, predicted = y_true == 1, y_pred == 1
    size = np.bincount(index, minlength=k).astype(np.float64)
    tp, fp = count(truth & predicted), count(~truth & predicted)
    fn, tn = count(truth & ~predicted), count(~truth & ~predicted)
    return GroupRates(
        groups=tuple(str(n) for n in names),
        size=size.astype(np.int64),
        selection_rate=_rate(tp + fp, size),
        tpr=_rate(tp, tp + fn),
        fpr=_rate(fp, fp + tn),
        fnr=_rate(fn, tp + fn),
        precision=_rate(tp, tp + fp),
    )
