"""The statistics behind the methods against scipy's reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats
from scipy.spatial import distance

from detectors.decision import benjamini_hochberg
from detectors.methods import METHODS
from detectors.methods.binning import binned_shares
from detectors.methods.counts import category_counts, factorize, total_variation
from detectors.methods.ecdf import ks_distance
from detectors.methods.energy_distance import energy_distance_raw
from detectors.methods.wasserstein import wasserstein_1

SIZES = [(1, 1), (1, 7), (7, 1), (2, 3), (3, 7), (10, 4), (12, 12), (100, 37), (999, 1000)]


@pytest.mark.parametrize(("n", "m"), SIZES, ids=[f"{n} and {m} values" for n, m in SIZES])
def test_the_quantile_grid_wasserstein_distance_equals_scipys(n: int, m: int) -> None:
    rng = np.random.default_rng(n * 1000 + m)
    reference = rng.normal(0, 1, n)
    current = np.round(rng.normal(0.3, 2, m), 1)  # ties
    expected = stats.wasserstein_distance(reference, current)
    assert wasserstein_1(reference, current) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def _numeric(seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, 700), np.round(rng.standard_t(4, 450), 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ecdf_tests_report_scipys_statistics_and_p_values(seed: int) -> None:
    reference, current = _numeric(seed)
    ks = stats.ks_2samp(reference, current)
    assert ks_distance(reference, current) == pytest.approx(ks.statistic, abs=1e-15)
    ours = METHODS["ks"](reference, current)
    assert (ours.statistic, ours.p_value) == (pytest.approx(ks.statistic), pytest.approx(ks.pvalue))
    ad = stats.anderson_ksamp([reference, current], variant="midrank")
    ours = METHODS["anderson"](reference, current)
    assert (ours.statistic, ours.p_value) == (pytest.approx(ad.statistic), pytest.approx(ad.pvalue))
    assert ours.effect_size == pytest.approx(ks.statistic)
    cvm = stats.cramervonmises_2samp(reference, current)
    ours = METHODS["cramer_von_mises"](reference, current)
    assert ours.statistic == pytest.approx(cvm.statistic)
    assert ours.p_value == pytest.approx(cvm.pvalue)
    assert energy_distance_raw(reference, current) == pytest.approx(
        stats.energy_distance(reference, current)
    )


def _labels(seed: int) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    rng = np.random.default_rng(seed)
    return rng.choice(list("abcde"), 900), rng.choice(list("abcdef"), 400)


@pytest.mark.parametrize("seed", [0, 1])
def test_category_distances_equal_scipys_on_the_same_shares(seed: int) -> None:
    reference, current = _labels(seed)
    _, ref_counts, cur_counts = category_counts(reference, current)
    p, q = ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum()
    assert METHODS["jensen_shannon"](reference, current).statistic == pytest.approx(
        distance.jensenshannon(p, q)
    )
    filled_p, filled_q = binned_shares(reference, current, fill=True)
    assert METHODS["kl_div"](reference, current).statistic == pytest.approx(
        stats.entropy(filled_p, filled_q)
    )
    assert METHODS["hellinger"](reference, current).statistic == pytest.approx(
        np.sqrt(1 - np.sum(np.sqrt(p * q)))
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_goodness_of_fit_statistics_follow_their_formulas_with_scaled_expectations(
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    reference = rng.choice(list("abcd"), 1000, p=[0.4, 0.3, 0.2, 0.1])
    current = rng.choice(list("abcd"), 300)
    _, ref_counts, observed = category_counts(reference, current)
    expected = ref_counts * observed.sum() / ref_counts.sum()
    chi2 = METHODS["chisquare"](reference, current)
    assert chi2.statistic == pytest.approx(np.sum((observed - expected) ** 2 / expected))
    assert chi2.p_value == pytest.approx(stats.chi2.sf(chi2.statistic, 3))
    g = METHODS["g_test"](reference, current)
    assert g.statistic == pytest.approx(2 * np.sum(observed * np.log(observed / expected)))
    assert g.p_value == pytest.approx(stats.chi2.sf(g.statistic, 3))
    tvd = 0.5 * np.abs(ref_counts / 1000 - observed / 300).sum()
    assert chi2.effect_size == g.effect_size == pytest.approx(tvd)


def test_two_category_tests_report_scipys_odds_ratio_and_the_normal_p_value() -> None:
    rng = np.random.default_rng(5)
    reference = rng.choice(["no", "yes"], 400, p=[0.7, 0.3])
    current = rng.choice(["no", "yes"], 250, p=[0.6, 0.4])
    _, ref_counts, cur_counts = category_counts(reference, current)
    fisher = METHODS["fisher_exact"](reference, current)
    odds, p = stats.fisher_exact([cur_counts, ref_counts])
    assert (fisher.statistic, fisher.p_value) == (pytest.approx(odds), pytest.approx(p))
    z = METHODS["z"](reference, current)
    assert z.p_value == pytest.approx(2 * stats.norm.sf(abs(z.statistic)))
    assert z.effect_size == pytest.approx(abs(ref_counts[1] / 400 - cur_counts[1] / 250))


def test_the_hypergeometric_permutation_p_value_agrees_with_shuffling_labels() -> None:
    rng = np.random.default_rng(9)
    reference = rng.choice(list("abc"), 400)
    current = rng.choice(list("abc"), 300, p=[0.38, 0.34, 0.28])
    ours = METHODS["tvd"](reference, current)
    pooled = np.concatenate([reference, current])
    shuffled = (rng.permutation(pooled) for _ in range(2000))
    tvds = np.array([total_variation(s[:400], s[400:]) for s in shuffled])
    assert ours.p_value == pytest.approx(np.mean(tvds >= ours.statistic - 1e-12), abs=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_benjamini_hochberg_equals_scipys_false_discovery_control(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p_values = np.concatenate([rng.uniform(0, 1, 17), [0.0001, 0.003, 0.003]])
    rng.shuffle(p_values)
    expected = stats.false_discovery_control(p_values, method="bh")
    assert benjamini_hochberg(list(p_values)) == pytest.approx(list(expected), rel=1e-12)
    assert benjamini_hochberg([]) == []


@pytest.mark.parametrize(
    "labels",
    [
        pytest.param(
            np.array(["car", "home", "", "é", "car"] * 500), id="short strings with an empty one"
        ),
        pytest.param(
            np.array([f"user-{i % 1500}" for i in range(5000)]), id="many distinct strings"
        ),
        pytest.param(np.array(["b", "a"] * 10), id="a few strings below the hashing size"),
        pytest.param(np.array([3, -2, 7, 3] * 400), id="integers"),
        pytest.param(np.array([2.5, 1.0, 2.5] * 10), id="floats"),
    ],
)
def test_category_counts_equal_numpys_unique_counts(labels: NDArray) -> None:
    reference, current = labels[: labels.size // 3], labels[labels.size // 3 :]
    categories, ref_counts, cur_counts = category_counts(reference, current)
    expected, counts = np.unique(labels, return_counts=True)
    assert categories.tolist() == expected.tolist()
    assert (ref_counts + cur_counts).tolist() == counts.tolist()
    assert ref_counts.sum() == reference.size
    assert factorize(labels)[0].tolist() == expected.tolist()
    assert (factorize(labels)[1] == np.unique(labels, return_inverse=True)[1]).all()
