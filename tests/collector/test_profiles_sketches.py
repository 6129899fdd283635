"""The sketches inside a profile: KLL within its rank error, categories past the cap."""

from __future__ import annotations

import numpy as np
import pytest

from store.profile_records import (
    SketchSettings,
    categorical_profile,
    category_estimates,
    frequent_error_bound,
    kll_from_bytes,
    merge_all,
    merge_profiles,
    numeric_profile,
)

CAP = SketchSettings(kll_k=200, category_cap=50, frequent_lg_max_k=8)


@pytest.mark.parametrize(
    "draw",
    [
        pytest.param(lambda rng, n: rng.normal(size=n), id="normal values"),
        pytest.param(lambda rng, n: rng.lognormal(0, 2, size=n), id="heavy-tailed values"),
        pytest.param(lambda rng, n: rng.integers(0, 30, size=n).astype(float), id="few values"),
    ],
)
def test_kll_of_merged_minutes_is_within_its_documented_rank_error(draw) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(11)
    minutes = [draw(rng, 2000) for _ in range(60)]
    merged = merge_all(numeric_profile(m) for m in minutes)
    assert merged is not None and merged.kll is not None
    sketch = kll_from_bytes(merged.kll)
    everything = np.sort(np.concatenate(minutes))
    eps = sketch.normalized_rank_error(False)
    assert eps == pytest.approx(0.0133, abs=0.0005)  # k = 200, as DataSketches documents
    probes = np.unique(np.quantile(everything, np.linspace(0.0, 1.0, 201)))
    exact = np.searchsorted(everything, probes, side="right") / everything.size
    estimated = np.asarray(sketch.get_cdf(probes.tolist(), True)[:-1])
    # eps bounds the largest error in 99 % of sketches; KLL's compactions draw random bits
    # that cannot be seeded, so the test allows 1.5 * eps to never fail by chance, and checks
    # that the typical error is well inside eps.
    assert np.abs(estimated - exact).max() <= 1.5 * eps
    assert np.abs(estimated - exact).mean() <= eps / 2
    assert sketch.n == everything.size
    assert (sketch.get_min_value(), sketch.get_max_value()) == (everything[0], everything[-1])


def test_categories_switch_to_a_frequent_items_sketch_past_the_cap() -> None:
    under = categorical_profile({f"c{i}": 1 for i in range(50)}, 0, CAP)
    assert under.categories is not None and under.frequent is None
    over = merge_profiles(under, categorical_profile({"new": 3}, 2, CAP), CAP)
    assert over.categories is None and over.frequent is not None
    assert (over.count, over.nulls) == (55, 2)
    estimates, rest = category_estimates(over)
    assert estimates["new"] == 3
    assert sum(estimates.values()) + rest == over.values


def test_frequent_item_estimates_are_within_the_sketch_bound() -> None:
    rng = np.random.default_rng(2)
    # A Zipf-like feature with 5,000 distinct values, seen over 30 minutes.
    minutes = []
    truth: dict[str, int] = {}
    for _ in range(30):
        draws = rng.zipf(1.3, size=3000) % 5000
        counts: dict[str, int] = {}
        for value in draws.tolist():
            counts[f"v{value}"] = counts.get(f"v{value}", 0) + 1
            truth[f"v{value}"] = truth.get(f"v{value}", 0) + 1
        minutes.append(categorical_profile(counts, 0, CAP))
    merged = merge_all(minutes, CAP)
    assert merged is not None and merged.frequent is not None
    bound = frequent_error_bound(merged)
    assert 0 < bound < 0.05 * merged.values
    estimates, rest = category_estimates(merged)
    for item, estimate in estimates.items():
        assert abs(estimate - truth[item]) <= bound
    heavy = [item for item, count in truth.items() if count > bound]
    assert set(heavy) <= set(estimates)  # no heavy hitter is missed
    assert rest >= 0
