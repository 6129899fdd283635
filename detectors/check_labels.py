"""The labelled part of ``vigil check``: performance and bias of current vs reference.

Pure: the target, prediction, score and protected columns as arrays in, a
:class:`LabelChecks` out. When the files carry labels:

- **performance**: the primary metric on each file -- ROC AUC when both have scores (binary
  target), else accuracy; for a numeric target with more than two values, RMSE. It fails on
  a drop beyond ``max_drop`` (``reference - current``; for RMSE, ``current / reference - 1``);
- **fairness**: per protected attribute of the current file, the demographic parity ratio
  (smallest over largest selection rate) across groups of at least ``min_group_size`` rows;
  it fails below ``min_ratio``. Fewer than two large groups: not computable, not failing.
  Beside the ratio, its 95% stratified-bootstrap interval over those groups (seeded, so a
  re-run prints the same) and each group's Wilson interval of its selection rate, so a
  ratio from small groups is read with its uncertainty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detectors.fairness.demographic_parity import DEMOGRAPHIC_PARITY_RATIO
from detectors.fairness.group_rates import group_rates
from detectors.fairness.intervals import group_intervals, metric_intervals
from detectors.label_encoding import normalise
from detectors.metrics import METRICS, MetricInput, NotComputable


@dataclass(frozen=True)
class Labelled:
    """One file's labelled rows: target, prediction (None where absent), score (NaN)."""

    target: Sequence[Any]
    prediction: Sequence[Any] | None
    score: NDArray[np.float64] | None
    protected: Mapping[str, Sequence[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class PerformanceCheck:
    metric: str
    reference: float | None
    current: float | None
    change: float | None  #: the drop (or, for RMSE, the relative increase)
    max_drop: float
    passed: bool
    reason: str | None = None


#: Confidence level and resamples of the intervals printed by the check, and their seed.
LEVEL, RESAMPLES, SEED = 0.95, 500, 0


@dataclass(frozen=True)
class FairnessCheck:
    attribute: str
    ratio: float | None
    min_ratio: float
    groups: dict[str, dict[str, Any]]
    passed: bool
    reason: str | None = None
    #: ``{"low", "high", "level", "method"}`` of the ratio, over the compared groups.
    interval: dict[str, Any] | None = None


@dataclass(frozen=True)
class LabelChecks:
    performance: PerformanceCheck
    fairness: tuple[FairnessCheck, ...]

    @property
    def passed(self) -> bool:
        return self.performance.passed and all(f.passed for f in self.fairness)


def _floats(values: Sequence[Any]) -> NDArray[np.float64]:
    def one(v: Any) -> float:
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else np.nan

    return np.array([one(v) for v in values], dtype=np.float64)


def is_regression(target: Sequence[Any]) -> bool:
    """A numeric target with more than two distinct values."""
    values = _floats(target)
    return bool(np.isfinite(values).all()) and len(np.unique(values)) > 2


def predicted_positive(data: Labelled, threshold: float = 0.5) -> NDArray[np.int64]:
    """1 where the prediction (or, without one, the score) says positive."""
    if data.prediction is not None:
        return np.array([normalise(p) == "1" for p in data.prediction], dtype=np.int64)
    if data.score is not None:
        return (data.score >= threshold).astype(np.int64)
    raise ValueError("--prediction or --score is needed with --target")


def _primary(data: Labelled, regression: bool) -> tuple[str, float | NotComputable]:
    if regression:
        truth = _floats(data.target)
        guess = _floats(data.prediction) if data.prediction is not None else data.score
        assert guess is not None
        keep = np.isfinite(truth) & np.isfinite(guess)
        return "rmse", METRICS["rmse"].compute(MetricInput(truth[keep], guess[keep], guess[keep]))
    truth_codes = [normalise(t) for t in data.target]
    if data.score is not None and set(truth_codes) <= {"0", "1"}:
        y = np.array([t == "1" for t in truth_codes], dtype=np.int64)
        return "roc_auc", METRICS["roc_auc"].compute(MetricInput(y, y, data.score))
    if data.prediction is None:
        raise ValueError("--prediction is needed for accuracy without binary scores")
    hits = [
        t is not None and t == normalise(p)
        for t, p in zip(truth_codes, data.prediction, strict=True)
    ]
    return "accuracy", float(np.mean(hits)) if hits else NotComputable("no labelled rows")


def performance_check(reference: Labelled, current: Labelled, max_drop: float) -> PerformanceCheck:
    """The primary metric of both files, and whether it dropped beyond ``max_drop``."""
    regression = is_regression(reference.target)
    metric, ref = _primary(reference, regression)
    _, cur = _primary(current, regression)
    if isinstance(ref, NotComputable) or isinstance(cur, NotComputable):
        missing = ref if isinstance(ref, NotComputable) else cur
        assert isinstance(missing, NotComputable)
        ref_value = None if isinstance(ref, NotComputable) else ref
        cur_value = None if isinstance(cur, NotComputable) else cur
        return PerformanceCheck(metric, ref_value, cur_value, None, max_drop, True, missing.reason)
    if metric == "rmse":
        change = cur / ref - 1 if ref > 0 else (0.0 if cur == 0 else float("inf"))
    else:
        change = ref - cur
    passed = change <= max_drop
    reason = None if passed else f"{metric} worsened by {change:.4g}, more than {max_drop}"
    return PerformanceCheck(metric, ref, cur, change, max_drop, passed, reason)


def fairness_check(
    attribute: str, groups: Sequence[Any], positive: NDArray[np.int64], min_ratio: float,
    min_group_size: int,
) -> FairnessCheck:  # fmt: skip
    """The demographic parity ratio of ``attribute`` across its large enough groups, with its
    interval. Selection rates need no labels: they are counted with every label 0."""
    keys = np.array(["" if g is None else str(g) for g in groups], dtype=object)
    every = group_rates(np.zeros(len(keys), np.int64), positive, keys.astype(str))
    table: dict[str, dict[str, Any]] = {}
    wilson = group_intervals(every, LEVEL)
    for i, key in enumerate(every.groups):
        rate = float(every.selection_rate[i])
        table[key] = {"size": int(every.size[i]), "selection_rate": rate,
                      "selection_rate_interval": wilson[key]["selection_rate"]}  # fmt: skip
    compared = every.keep((every.size >= min_group_size) & (np.array(every.groups) != ""))
    found = DEMOGRAPHIC_PARITY_RATIO.compute(compared)
    if isinstance(found, NotComputable):
        return FairnessCheck(attribute, None, min_ratio, table, True, found.reason)
    rng = np.random.default_rng(SEED)
    bootstrap = metric_intervals([DEMOGRAPHIC_PARITY_RATIO], compared, rng, RESAMPLES, LEVEL)
    interval = bootstrap[DEMOGRAPHIC_PARITY_RATIO.name]
    spread = None if interval is None else asdict(interval)
    passed = found >= min_ratio
    reason = None
    if not passed:
        reason = f"demographic parity ratio {found:.3g} below {min_ratio}"
        if interval is not None:
            reason += f" ({LEVEL:.0%} CI {interval.low:.3g}-{interval.high:.3g})"
    return FairnessCheck(attribute, found, min_ratio, table, passed, reason, spread)


def run_label_checks(
    reference: Labelled, current: Labelled, max_drop: float, min_ratio: float,
    min_group_size: int,
) -> LabelChecks:  # fmt: skip
    """Performance of current vs reference, and fairness of the current file."""
    performance = performance_check(reference, current, max_drop)
    fairness: tuple[FairnessCheck, ...] = ()
    if current.protected and not is_regression(reference.target):
        positive = predicted_positive(current)
        fairness = tuple(
            fairness_check(name, values, positive, min_ratio, min_group_size)
            for name, values in current.protected.items()
        )
    return LabelChecks(performance, fairness)
