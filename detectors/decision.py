"""When a drift test result becomes a breach: effect size, corrected p-value, persistence.

Three gates, each against one kind of alert noise:

1. **Effect size.** The method's effect size must reach the feature's threshold. On a
   million rows every test is "significant"; the effect size says whether the difference
   is big enough to matter (see :mod:`detectors.methods.base`).
2. **Multiple testing.** Where a p-value exists, it is adjusted with Benjamini-Hochberg
   across the model's features tested in the same window, and must be below ``alpha``.
   Twenty features tested at 5% would otherwise flag one feature in every window by chance.
   Methods without a p-value (distances) pass this gate; ``min_sample_size`` keeps them off
   small samples instead.
3. **Persistence.** A window that passes both gates has *drifted*; the feature *breaches*
   only when the current window drifted and at least ``k`` of the last ``m`` windows did
   (the current one included). Earlier windows are read back from the stored signals
   (``details["window_drifted"]``); a missing window counts as not drifted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from detectors.column_drift import ColumnDrift
from detectors.config import Persistence


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (step-up, capped at 1), in the given order.

    Equals ``scipy.stats.false_discovery_control(p_values, method="bh")``.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.size == 0:
        return []
    order = np.argsort(p, kind="stable")
    scaled = p[order] * p.size / np.arange(1, p.size + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(stepped, 1.0)
    return [float(value) for value in adjusted]


@dataclass(frozen=True, slots=True)
class WindowVerdict:
    """Whether a column drifted in this window, and its adjusted p-value if it has one."""

    drifted: bool
    p_adjusted: float | None = None


def _p_value(column: ColumnDrift) -> float | None:
    return None if column.result is None else column.result.p_value


def window_verdicts(columns: Mapping[str, ColumnDrift], alpha: float) -> dict[str, WindowVerdict]:
    """Gates 1 and 2 for every column of one model and window (keys as given)."""
    p_values = {name: _p_value(column) for name, column in columns.items()}
    tested = {name: p for name, p in p_values.items() if p is not None}
    adjusted = dict(zip(tested, benjamini_hochberg(list(tested.values())), strict=True))
    verdicts: dict[str, WindowVerdict] = {}
    for name, column in columns.items():
        if column.result is None or column.threshold is None:
            verdicts[name] = WindowVerdict(drifted=False)
            continue
        large_enough = column.result.effect_size >= column.threshold
        p_adjusted = adjusted.get(name)
        significant = p_adjusted is None or p_adjusted < alpha
        verdicts[name] = WindowVerdict(large_enough and significant, p_adjusted)
    return verdicts


@dataclass(frozen=True, slots=True)
class PersistenceOutcome:
    """Gate 3: how many of the windows looked at drifted, and whether that is a breach."""

    breach: bool
    drifted_windows: int
    windows: int


def persistent(
    drifted_now: bool, earlier: Sequence[bool], persistence: Persistence
) -> PersistenceOutcome:
    """Whether the current window breaches, given earlier windows' verdicts (oldest first).

    Only the last ``m - 1`` earlier verdicts count; fewer (a new model, a gap) count as
    windows that did not drift.
    """
    recent = list(earlier[-(persistence.m - 1) :]) if persistence.m > 1 else []
    drifted_windows = sum(recent) + int(drifted_now)
    breach = drifted_now and drifted_windows >= persistence.k
    return PersistenceOutcome(breach, drifted_windows, len(recent) + 1)
