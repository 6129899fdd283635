"""Row reservoirs: bounded, uniform over everything seen, reproducible with a seed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from collector.profiles.reservoir import offer
from store.profile_records import Reservoir, merge_reservoirs

ROWS = [{"i": i} for i in range(100)]


def sample(rng: np.random.Generator, batch: int, capacity: int = 10) -> Reservoir:
    reservoir = Reservoir(capacity, 0, ())
    for start in range(0, len(ROWS), batch):
        reservoir = offer(reservoir, ROWS[start : start + batch], rng)
    return reservoir


@pytest.mark.parametrize("batch", [1, 7, 100], ids=["row by row", "in batches of 7", "at once"])
def test_algorithm_r_keeps_each_row_with_equal_probability(batch: int) -> None:
    rng = np.random.default_rng(0)
    hits = np.zeros(len(ROWS))
    trials = 2000
    for _ in range(trials):
        reservoir = sample(rng, batch)
        assert len(reservoir.rows) == 10 and reservoir.seen == 100
        for row in reservoir.rows:
            hits[row["i"]] += 1
    # Each row is kept with probability 10/100: a chi-square test of the 100 counts.
    assert stats.chisquare(hits).pvalue > 0.001
    assert hits.min() > 0.7 * trials / 10 and hits.max() < 1.3 * trials / 10


def test_a_reservoir_never_exceeds_its_capacity_and_keeps_all_while_it_can() -> None:
    rng = np.random.default_rng(1)
    small = offer(Reservoir(500, 0, ()), ROWS, rng)
    assert small.rows == tuple(ROWS) and small.seen == 100
    empty = offer(Reservoir(0, 0, ()), ROWS, rng)
    assert empty.rows == () and empty.seen == 100


def test_merging_reservoirs_weights_each_side_by_the_rows_it_saw() -> None:
    rng = np.random.default_rng(2)
    left = [{"side": "a", "i": i} for i in range(300)]
    right = [{"side": "b", "i": i} for i in range(100)]
    from_left = 0
    trials = 1000
    for _ in range(trials):
        a = offer(Reservoir(20, 0, ()), left, rng)
        b = offer(Reservoir(20, 0, ()), right, rng)
        merged = merge_reservoirs(a, b, rng)
        assert len(merged.rows) == 20 and merged.seen == 400
        from_left += sum(row["side"] == "a" for row in merged.rows)
    # 300 of the 400 rows came from the left: 75 % of the sample, within 1.5 %.
    assert from_left / (20 * trials) == pytest.approx(0.75, abs=0.015)


def test_the_same_seed_gives_the_same_sample() -> None:
    first = sample(np.random.default_rng(42), 7)
    second = sample(np.random.default_rng(42), 7)
    assert first == second
    assert first != sample(np.random.default_rng(43), 7)
