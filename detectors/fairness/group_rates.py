"""Per-group confusion counts and rates: what every fairness metric compares.

One pass over a window (``np.unique`` and ``bincount``, no loop over rows): for each group,
its size and its selection rate ``P(ŷ=1)``, true and false positive rates, false negative
rate and precision. A rate without a denominator (TPR of a group without positive labels)
is NaN, and fairness metrics leave that group out of the comparison.

The rates are a function of each group's confusion counts ``(TP, FP, FN, TN)``, kept in
``counts``: a bootstrap that resamples rows within each group is a multinomial draw of those
counts (:mod:`detectors.fairness.intervals`), so its cost does not grow with the window.
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
    #: ``(groups, 4)`` confusion counts ``TP, FP, FN, TN`` per group.
    counts: NDArray[np.int64] | None = None

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
            None if self.counts is None else self.counts[mask],
        )  # fmt: skip


def _rate(num: NDArray[np.float64], den: NDArray[np.float64]) -> Rates:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def rates_from_counts(groups: tuple[str, ...], counts: NDArray[np.int64]) -> GroupRates:
    """The rates of groups with confusion counts ``(groups, 4)``: ``TP, FP, FN, TN``."""
    cells = counts.astype(np.float64)
    tp, fp, fn, tn = cells[:, 0], cells[:, 1], cells[:, 2], cells[:, 3]
    size = cells.sum(axis=1)
    return GroupRates(
        groups=groups,
        size=size.astype(np.int64),
        selection_rate=_rate(tp + fp, size),
        tpr=_rate(tp, tp + fn),
        fpr=_rate(fp, fp + tn),
        fnr=_rate(fn, tp + fn),
        precision=_rate(tp, tp + fp),
        counts=counts,
    )


def group_rates(
    y_true: NDArray[np.int64], y_pred: NDArray[np.int64], group: NDArray[np.str_]
) -> GroupRates:
    """The rates of each distinct value of ``group`` (0/1 ``y_true`` and ``y_pred``)."""
    names, index = np.unique(group, return_inverse=True)
    truth, predicted = y_true == 1, y_pred == 1
    cell = np.where(truth, np.where(predicted, 0, 2), np.where(predicted, 1, 3))
    flat = np.bincount(index * 4 + cell, minlength=len(names) * 4)
    counts = flat.reshape(len(names), 4).astype(np.int64)
    return rates_from_counts(tuple(str(n) for n in names), counts)
