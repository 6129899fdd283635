"""Drift methods: known values, the registry, and parity with Evidently 0.7's stattests.

Parity tolerance: our definitions are Evidently's (same normaliser, same distributions,
same logarithm), so values agree to floating-point rounding. ``rel=1e-9`` leaves room only
for summation order (pandas' and numpy's ``std``, the order categories are summed in).
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from drift_parity import EvidentlyStattests
from numpy.typing import NDArray

from detectors.methods import METHODS
from detectors.methods.counts import category_counts
from detectors.methods.jensen_shannon import (
    JENSEN_SHANNON,
    MAX_DISTANCE,
    jensen_shannon_distance,
    jensen_shannon_from_counts,
)
from detectors.methods.wasserstein import WASSERSTEIN, both_constant, wasserstein_distance_norm


def _parity(expected: float) -> Any:
    """Evidently's value with the documented tolerance."""
    return pytest.approx(expected, rel=1e-9, abs=1e-12)


def _floats(*values: float) -> NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


def _labels(text: str) -> NDArray[np.str_]:
    return np.array(list(text), dtype=np.str_)


@pytest.mark.parametrize(
    ("reference", "current", "expected"),
    [
        pytest.param(
            _floats(1, 2, 3, 4),
            _floats(1, 2, 3, 4),
            0.0,
            id="identical samples are at distance zero",
        ),
        pytest.param(
            _floats(0, 2), _floats(1, 3), 1.0, id="a shift by one reference std gives one"
        ),
        pytest.param(_floats(0, 2), _floats(-1, 1), 1.0, id="a shift down counts like a shift up"),
        pytest.param(
            _floats(0, 2, 0, 2), _floats(0.5, 2.5), 0.5, id="a shift by half a std gives one half"
        ),
        pytest.param(_floats(0, 2), _floats(0, 0, 2, 2), 0.0, id="sample sizes may differ"),
        pytest.param(
            _floats(5, 5, 5),
            _floats(5, 6),
            500.0,
            id="a constant reference is normalised by the 0.001 floor",
        ),
    ],
)
def test_wasserstein_distance_is_normalised_by_the_reference_std(
    reference: NDArray[np.float64], current: NDArray[np.float64], expected: float
) -> None:
    assert wasserstein_distance_norm(reference, current) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("reference", "current", "expected"),
    [
        pytest.param(
            _labels("ab"),
            _labels("aabb"),
            0.0,
            id="equal frequencies are at distance zero whatever the sizes",
        ),
        pytest.param(
            _labels("aa"),
            _labels("bb"),
            MAX_DISTANCE,
            id="disjoint categories are at the maximum sqrt(ln 2)",
        ),
        pytest.param(
            _labels("aa"),
            _labels("ab"),
            math.sqrt(0.75 * math.log(4 / 3)),
            id="a new category in half the window",
        ),
        pytest.param(
            _labels("ab"),
            _labels("aa"),
            math.sqrt(0.75 * math.log(4 / 3)),
            id="a category gone from the window",
        ),
        pytest.param(_labels("abc"), _labels("cba"), 0.0, id="order of values does not matter"),
        pytest.param(_labels("a"), _labels("a"), 0.0, id="one shared category is at distance zero"),
    ],
)
def test_jensen_shannon_distance_of_category_frequencies(
    reference: NDArray[np.str_], current: NDArray[np.str_], expected: float
) -> None:
    assert jensen_shannon_distance(reference, current) == pytest.approx(expected)


def test_jensen_shannon_on_counts_equals_jensen_shannon_on_values() -> None:
    reference, current = _labels("aaabbc"), _labels("abbbbd")
    categories, reference_counts, current_counts = category_counts(reference, current)
    assert categories.tolist() == ["a", "b", "c", "d"]
    assert reference_counts.tolist() == [3, 2, 1, 0]
    assert current_counts.tolist() == [1, 4, 0, 1]
    assert jensen_shannon_from_counts(reference_counts, current_counts) == pytest.approx(
        jensen_shannon_distance(reference, current), rel=1e-12
    )


def test_both_constant_is_a_reason_only_when_reference_and_current_are_constant() -> None:
    assert both_constant(_floats(3, 3), _floats(4, 4)) is not None
    assert both_constant(_floats(3, 3), _floats(4, 5)) is None
    assert both_constant(_floats(3, 4), _floats(4, 4)) is None


def test_every_method_is_registered_under_its_own_name_and_read_only() -> None:
    assert all(name == method.name for name, method in METHODS.items())
    assert set(METHODS) == {
        "wasserstein", "ks", "anderson", "cramer_von_mises", "energy_distance", "psi",
        "jensen_shannon", "hellinger", "kl_div", "chisquare", "g_test", "fisher_exact", "z",
        "tvd",
    }  # fmt: skip
    with pytest.raises(TypeError):
        METHODS["other"] = WASSERSTEIN  # type: ignore[index]


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_documents_its_evidently_counterpart_kinds_and_threshold(name: str) -> None:
    method = METHODS[name]
    assert method.evidently and method.title and method.kinds
    assert method.default_threshold > 0
    module = importlib.import_module(method.function.__module__)
    assert "Evidently" in (module.__doc__ or ""), f"{module.__name__} does not say how it compares"


@pytest.mark.parametrize(
    ("value", "breach"),
    [
        pytest.param(0.1, True, id="an effect size at the threshold is a breach"),
        pytest.param(0.0999, False, id="an effect size below the threshold is ok"),
    ],
)
def test_a_breach_is_an_effect_size_at_or_above_the_threshold(value: float, breach: bool) -> None:
    assert WASSERSTEIN.is_breach(value, 0.1) is breach


# --- parity with Evidently 0.7 --------------------------------------------------------------


def _numeric_case(seed: int, shape: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    reference = rng.normal(10.0, 3.0, 2000)
    cases = {
        "same": lambda: rng.normal(10.0, 3.0, 500),
        "shifted": lambda: rng.normal(11.0, 3.0, 300),
        "wider": lambda: rng.normal(10.0, 6.0, 800),
        "skewed": lambda: rng.lognormal(2.0, 0.5, 400),
        "integer ties": lambda: rng.integers(5, 15, 250).astype(np.float64),
    }
    return reference, cases[shape]()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", ["same", "shifted", "wider", "skewed", "integer ties"])
def test_wasserstein_matches_evidently(
    evidently_stattests: EvidentlyStattests, seed: int, shape: str
) -> None:
    reference, current = _numeric_case(seed, shape)
    theirs = evidently_stattests.wasserstein(
        pd.Series(reference), pd.Series(current), evidently_stattests.numerical, 0.1
    )
    ours = wasserstein_distance_norm(reference, current)
    assert ours == _parity(theirs.drift_score)
    assert WASSERSTEIN.is_breach(ours, 0.1) == theirs.drifted
    assert WASSERSTEIN(reference, current).effect_size == ours


def test_wasserstein_matches_evidently_for_a_constant_reference(
    evidently_stattests: EvidentlyStattests,
) -> None:
    reference, current = np.full(100, 7.0), np.linspace(6.0, 8.0, 50)
    theirs = evidently_stattests.wasserstein(
        pd.Series(reference), pd.Series(current), evidently_stattests.numerical, 0.1
    )
    assert wasserstein_distance_norm(reference, current) == _parity(theirs.drift_score)


def _categorical_case(seed: int, shape: str) -> tuple[NDArray[np.str_], NDArray[np.str_]]:
    rng = np.random.default_rng(seed)
    names = np.array(["car", "house", "education", "business", "travel", "other"])
    reference = rng.choice(names, 3000, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    cases = {
        "same": lambda: rng.choice(names, 500, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05]),
        "shifted": lambda: rng.choice(names, 400, p=[0.1, 0.1, 0.5, 0.1, 0.1, 0.1]),
        "category gone": lambda: rng.choice(names[:4], 300),
        "new category": lambda: np.concatenate([rng.choice(names, 200), ["crypto"] * 40]),
        "booleans": lambda: rng.choice(np.array(["true", "false"]), 150),
    }
    current = cases[shape]()
    if shape == "booleans":
        reference = rng.choice(np.array(["true", "false"]), 1000, p=[0.7, 0.3])
    return reference.astype(np.str_), current.astype(np.str_)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", ["same", "shifted", "category gone", "new category", "booleans"])
def test_jensen_shannon_matches_evidently(
    evidently_stattests: EvidentlyStattests, seed: int, shape: str
) -> None:
    reference, current = _categorical_case(seed, shape)
    theirs = evidently_stattests.jensenshannon(
        pd.Series(reference), pd.Series(current), evidently_stattests.categorical, 0.1
    )
    ours = jensen_shannon_distance(reference, current)
    assert ours == _parity(theirs.drift_score)
    assert JENSEN_SHANNON.is_breach(ours, 0.1) == theirs.drifted
    assert JENSEN_SHANNON(reference, current).p_value is None
