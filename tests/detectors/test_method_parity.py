"""Every drift method against Evidently 0.7's stattest of the same name, on shared data.

What is compared is Evidently's ``drift_score``: the distance for distances, the p-value for
tests. Tolerances:

- ``rel=1e-9`` (summation order only) for everything computed with the same formula or the
  same scipy call: Wasserstein, Jensen-Shannon, PSI, KL, Hellinger, KS, Anderson-Darling,
  Cramér-von Mises, chi-square, G-test, Fisher;
- the Z-test's p-value additionally ``abs=1e-12``: Vigil uses ``erfc``, Evidently
  ``2 * (1 - norm.cdf)``, which loses digits in the far tail;
- Cramér-von Mises ``rel=1e-6``: Evidently carries an older copy of scipy's function whose
  exact small-sample p-value (both samples of at most 20) accumulates differently, about
  ``2e-8`` relative; the asymptotic p-value agrees to rounding;
- energy distance: Vigil's statistic is normalised by the reference std (documented in
  ``energy_distance.py``), so ``statistic * norm`` is compared;
- total variation: the permutation p-values come from different random draws, so they
  agree within Monte-Carlo error (``abs=0.07``).

Where Evidently cannot run (its G-test and Fisher test require equal sizes) the cases have
equal sizes; the other differences are listed in each method's module docstring.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from drift_parity import EvidentlyStattests
from numpy.typing import NDArray

from detectors.methods import METHODS
from detectors.methods.wasserstein import MIN_NORM

Case = Callable[[np.random.Generator], tuple[NDArray, NDArray]]

NUMERIC_CASES: dict[str, Case] = {
    "the same distribution": lambda r: (r.normal(10, 3, 2000), r.normal(10, 3, 500)),
    "a shifted mean": lambda r: (r.normal(10, 3, 2000), r.normal(11, 3, 300)),
    "a wider spread": lambda r: (r.normal(10, 3, 1500), r.normal(10, 6, 800)),
    "a skewed current": lambda r: (r.normal(10, 3, 1000), r.lognormal(2, 0.5, 400)),
    "integers with ties": lambda r: (
        r.integers(0, 40, 900).astype(float),
        r.integers(3, 45, 700).astype(float),
    ),
    "few distinct values": lambda r: (
        r.choice([1.0, 2.0, 3.0, 4.0], 1200, p=[0.4, 0.3, 0.2, 0.1]),
        r.choice([1.0, 2.0, 3.0, 4.0, 5.0], 600),
    ),
    "small samples": lambda r: (r.normal(0, 1, 15), r.normal(0.8, 1, 12)),
}

_NAMES = np.array(["car", "house", "education", "business", "travel", "other"])
_P = [0.3, 0.25, 0.2, 0.1, 0.1, 0.05]
CATEGORICAL_CASES: dict[str, Case] = {
    "the same shares": lambda r: (r.choice(_NAMES, 3000, p=_P), r.choice(_NAMES, 500, p=_P)),
    "shifted shares": lambda r: (
        r.choice(_NAMES, 3000, p=_P),
        r.choice(_NAMES, 400, p=[0.1, 0.1, 0.5, 0.1, 0.1, 0.1]),
    ),
    "a category gone": lambda r: (r.choice(_NAMES, 2000, p=_P), r.choice(_NAMES[:4], 300)),
    "a new category": lambda r: (
        r.choice(_NAMES[:5], 2000),
        np.concatenate([r.choice(_NAMES[:5], 200), ["crypto"] * 40]),
    ),
    "equal sizes": lambda r: (r.choice(_NAMES, 800, p=_P), r.choice(_NAMES[::-1], 800, p=_P)),
}
BINARY_CASES: dict[str, Case] = {
    "the same binary shares": lambda r: (
        r.choice(["no", "yes"], 600, p=[0.7, 0.3]),
        r.choice(["no", "yes"], 600, p=[0.7, 0.3]),
    ),
    "shifted binary shares": lambda r: (
        r.choice(["no", "yes"], 500, p=[0.7, 0.3]),
        r.choice(["no", "yes"], 500, p=[0.5, 0.5]),
    ),
    "one side constant": lambda r: (r.choice(["no", "yes"], 300), np.array(["no"] * 300)),
}

NUMERIC_METHODS = [
    "wasserstein", "ks", "anderson", "cramer_von_mises", "energy_distance", "psi",
    "jensen_shannon", "hellinger", "kl_div",
]  # fmt: skip
CATEGORICAL_METHODS = ["psi", "jensen_shannon", "hellinger", "kl_div", "chisquare"]
EQUAL_SIZE_METHODS = ["g_test"]
BINARY_METHODS = ["fisher_exact", "z", "chisquare", "jensen_shannon"]


def _params(methods: list[str], cases: dict[str, Case], kind: str) -> list[object]:
    return [
        pytest.param(method, case, id=f"{method} on {kind} with {name}")
        for method in methods
        for name, case in cases.items()
    ]


PARAMS = (
    _params(NUMERIC_METHODS, NUMERIC_CASES, "numbers")
    + _params(CATEGORICAL_METHODS, CATEGORICAL_CASES, "categories")
    + _params(EQUAL_SIZE_METHODS, {"equal sizes": CATEGORICAL_CASES["equal sizes"]}, "categories")
    + _params(BINARY_METHODS, BINARY_CASES, "two categories")
)


def _arrays(case: Case, seed: int = 3) -> tuple[NDArray, NDArray]:
    reference, current = case(np.random.default_rng(seed))
    if reference.dtype.kind == "f":
        return reference.astype(np.float64), current.astype(np.float64)
    return reference.astype(np.str_), current.astype(np.str_)


@pytest.mark.parametrize(("method", "case"), PARAMS)
def test_the_drift_score_matches_evidently(
    evidently_stattests: EvidentlyStattests, method: str, case: Case
) -> None:
    reference, current = _arrays(case)
    ours = METHODS[method](reference, current)
    theirs = evidently_stattests.score(method, reference, current)
    if METHODS[method].has_p_value:
        rel = 1e-6 if method == "cramer_von_mises" else 1e-9
        assert ours.p_value == pytest.approx(theirs.drift_score, rel=rel, abs=1e-12)
    elif method == "energy_distance":
        norm = max(float(np.std(reference)), MIN_NORM)
        assert ours.statistic * norm == pytest.approx(theirs.drift_score, rel=1e-9)
    else:
        assert ours.statistic == pytest.approx(theirs.drift_score, rel=1e-9, abs=1e-12)
        assert METHODS[method].is_breach(ours.effect_size, 0.1) == bool(theirs.drifted)


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            lambda r: (r.choice(list("abc"), 300), r.choice(list("abc"), 200)), id="no drift"
        ),
        pytest.param(
            lambda r: (r.choice(list("abc"), 300), r.choice(list("abc"), 200, p=[0.45, 0.35, 0.2])),
            id="a mild shift",
        ),
        pytest.param(
            lambda r: (r.choice(list("abc"), 300), r.choice(list("abcd"), 200)), id="a new category"
        ),
    ],
)
def test_the_total_variation_permutation_p_value_matches_evidently_within_monte_carlo_error(
    evidently_stattests: EvidentlyStattests, case: Case
) -> None:
    reference, current = _arrays(case)
    ours = METHODS["tvd"](reference, current)
    theirs = evidently_stattests.score("tvd", reference, current)
    assert ours.p_value == pytest.approx(theirs.drift_score, abs=0.07)
