"""Confidence intervals of fairness metrics, so a gap between small groups is not over-read.

Two kinds, both over the groups that are compared (at least ``min_group_size`` rows: the
caller passes :class:`GroupRates` already restricted to them):

- **per group**, the Wilson score interval of each rate (selection rate over the group's
  rows, TPR and FNR over its positive labels, FPR over its negative labels, precision over
  its positive predictions) -- :func:`group_intervals`;
- **per metric** (a difference, a ratio, the worse of two differences), a seeded
  *stratified* bootstrap: rows are resampled within each group, group sizes fixed, which is
  exactly a multinomial draw of each group's confusion counts ``(TP, FP, FN, TN)``; the
  metric of each draw gives the percentile interval -- :func:`metric_intervals`. Draws where
  the metric has no value (a rate undefined in all but one group) are skipped; with fewer
  than half of the draws usable there is no interval.

The generator is passed in (seed it per window: re-evaluating an unchanged window gives the
same interval).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from detectors.fairness.base import FairnessMetric
from detectors.fairness.group_rates import GroupRates, rates_from_counts
from detectors.intervals import Interval, wilson
from detectors.metrics import NotComputable

#: Each rate: (numerator cells, denominator cells) of the ``TP, FP, FN, TN`` counts.
RATE_CELLS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "selection_rate": ((0, 1), (0, 1, 2, 3)),
    "tpr": ((0,), (0, 2)),
    "fpr": ((1,), (1, 3)),
    "fnr": ((2,), (0, 2)),
    "precision": ((0,), (0, 1)),
}


def _bounds(found: Interval | None) -> list[float] | None:
    return None if found is None else [found.low, found.high]


def group_intervals(rates: GroupRates, level: float) -> dict[str, dict[str, list[float] | None]]:
    """Per group and rate, the Wilson interval ``[low, high]`` (None without a denominator)."""
    if rates.counts is None:
        return {}
    found: dict[str, dict[str, list[float] | None]] = {}
    for group, cells in zip(rates.groups, rates.counts, strict=True):
        row: dict[str, list[float] | None] = {}
        for rate, (num, den) in RATE_CELLS.items():
            trials = int(cells[list(den)].sum())
            hits = int(cells[list(num)].sum())
            row[rate] = _bounds(wilson(hits / trials, trials, level)) if trials else None
        found[group] = row
    return found


def resampled_counts(
    counts: NDArray[np.int64], rng: np.random.Generator, resamples: int
) -> NDArray[np.int64]:
    """``(resamples, groups, 4)`` confusion counts, each group's rows drawn with replacement."""
    draws = np.empty((resamples, *counts.shape), dtype=np.int64)
    for g, cells in enumerate(counts):
        size = int(cells.sum())
        draws[:, g, :] = rng.multinomial(size, cells / size, size=resamples)
    return draws


def metric_intervals(
    metrics: Iterable[FairnessMetric],
    rates: GroupRates,
    rng: np.random.Generator,
    resamples: int,
    level: float,
) -> dict[str, Interval | None]:
    """Each metric's stratified-bootstrap percentile interval over the groups of ``rates``."""
    chosen = list(metrics)
    if rates.counts is None or resamples <= 0 or len(rates.groups) < 2:
        return {m.name: None for m in chosen}
    values: dict[str, list[float]] = {m.name: [] for m in chosen}
    for draw in resampled_counts(rates.counts, rng, resamples):
        resampled = rates_from_counts(rates.groups, draw)
        for metric in chosen:
            value = metric.compute(resampled)
            if not isinstance(value, NotComputable):
                values[metric.name].append(value)
    tail = (1 - level) / 2 * 100
    found: dict[str, Interval | None] = {}
    for name, drawn in values.items():
        if len(drawn) < resamples / 2:
            found[name] = None
            continue
        low, high = np.percentile(drawn, [tail, 100 - tail])
        found[name] = Interval(float(low), float(high), level, "stratified_bootstrap")
    return found
