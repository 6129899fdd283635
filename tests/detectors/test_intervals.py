"""Confidence intervals: analytic where standard, bootstrap from a generator passed in."""

from __future__ import annotations

import numpy as np
import pytest

from detectors.intervals import hanley_mcneil, interval, wilson
from detectors.metrics import METRICS, MetricInput, NotComputable


def _data(n: int, seed: int = 5) -> MetricInput:
    rng = np.random.default_rng(seed)
    y_true = (rng.random(n) < 0.4).astype(np.int64)
    score = np.clip(0.25 * y_true + rng.normal(0.4, 0.2, n), 0, 1)
    return MetricInput(y_true, (score >= 0.5).astype(np.int64), score)


def test_the_wilson_interval_matches_its_textbook_value() -> None:
    # 81 successes in 263 trials at 95 %: (0.2553, 0.3662), Newcombe (1998), table I.
    found = wilson(81 / 263, 263, 0.95)
    assert (found.low, found.high) == pytest.approx((0.2553, 0.3662), abs=1e-4)


def test_the_hanley_mcneil_interval_uses_their_standard_error() -> None:
    # Hanley & McNeil (1982), table 3: AUC 0.8 with 50 and 50 cases has SE 0.0442.
    found = hanley_mcneil(0.8, 50, 50, 0.95)
    assert (found.high - found.low) / (2 * 1.959964) == pytest.approx(0.0442, abs=5e-4)


@pytest.mark.parametrize(
    "name", sorted(n for n, m in METRICS.items() if "binary_classification" in m.tasks)
)
def test_every_binary_metric_has_an_interval_around_its_value(name: str) -> None:
    metric, data = METRICS[name], _data(800)
    value = metric.compute(data)
    assert not isinstance(value, NotComputable)
    found = interval(metric, value, data, np.random.default_rng(1), 100, 0.9)
    assert found is not None
    assert found.low <= value <= found.high
    assert found.level == 0.9


def test_a_bootstrap_interval_is_the_same_for_the_same_seed_and_narrows_with_more_rows() -> None:
    metric = METRICS["f1"]

    def width(n: int, seed: int) -> tuple[float, float]:
        data = _data(n)
        value = metric.compute(data)
        assert isinstance(value, float)
        found = interval(metric, value, data, np.random.default_rng(seed), 200, 0.95)
        assert found is not None and found.method == "bootstrap"
        return found.low, found.high

    assert width(400, 3) == width(400, 3)
    small, large = width(400, 3), width(6400, 3)
    assert large[1] - large[0] < (small[1] - small[0]) / 2


def test_the_mean_interval_covers_the_truth_about_as_often_as_its_level() -> None:
    rng = np.random.default_rng(9)
    metric, covered = METRICS["mae"], 0
    for _ in range(400):
        truth = rng.normal(0, 1, 200)
        data = MetricInput(truth, truth + rng.normal(0, 1, 200), np.full(200, np.nan), 1)
        value = metric.compute(data)
        assert isinstance(value, float)
        found = interval(metric, value, data, rng, 0, 0.9)
        assert found is not None
        covered += found.low <= np.sqrt(2 / np.pi) <= found.high
    assert 0.85 <= covered / 400 <= 0.95


def test_resampling_the_confusion_matrix_gives_the_row_bootstraps_interval() -> None:
    metric, data = METRICS["f1"], _data(3000)
    value = metric.compute(data)
    assert isinstance(value, float)
    found = interval(metric, value, data, np.random.default_rng(2), 2000, 0.9)
    rng = np.random.default_rng(3)
    rows = [metric.compute(data.take(rng.integers(0, 3000, 3000))) for _ in range(2000)]
    expected = np.percentile(np.array(rows, dtype=np.float64), [5, 95])
    assert found is not None
    assert (found.low, found.high) == pytest.approx(tuple(expected), abs=0.005)
