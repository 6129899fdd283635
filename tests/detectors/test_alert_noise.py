"""Thirty days of a model's traffic at 1M predictions a day: no alert noise, the real shift caught.

A window-level simulation of the drift detector's statistics (the database is not involved;
the store-backed job has its own tests): every hour, 41,667 predictions of 20 features --
14 numeric of assorted shapes (skewed, heavy-tailed, discrete, bimodal, rounded) and 6 categorical
(two to seven categories, some rare) -- are drawn with numpy from the same population as a
41,667-row reference, and the model's window is evaluated by ``window_drift`` exactly as the
job evaluates it: the automatic method per column (Wasserstein and Jensen-Shannon for a
reference this size) except for the configured ones (KS, PSI, chi-square, G-test), the
Benjamini-Hochberg correction across the model's features, and persistence 2 of 3 against
the earlier windows' verdicts.

Then a NannyML-style covariate shift (as in its synthetic car-loan data, one input's mean
moves by one standard deviation in part of the population -- here 40% of applicants) starts
at 14:20 on day 31. With persistence 2 of 3 the first drifting window is held back; a shift
that starts inside a window makes that window drift, so the first full window after it
breaches. (With Vigil's default schedule, one-hour windows every five minutes, every shift
starts inside a window.)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from detectors.config import DriftConfig, FeatureMethod, Persistence
from detectors.window_drift import ColumnInput, window_drift

PER_DAY = 1_000_000
PER_HOUR = PER_DAY // 24
DAYS = 30

Draw = Callable[[np.random.Generator, int], NDArray[np.float64]]

NUMERIC: dict[str, Draw] = {
    "age": lambda r, n: np.floor(r.uniform(18, 91, n)),
    "income": lambda r, n: r.lognormal(10.8, 0.45, n),
    "debt_to_income": lambda r, n: r.uniform(0, 1, n) ** 2,
    "credit_history_months": lambda r, n: r.gamma(4, 30, n),
    "loan_amount": lambda r, n: r.lognormal(9.3, 0.6, n),
    "open_accounts": lambda r, n: r.geometric(0.1, n).astype(np.float64),
    "utilisation": lambda r, n: r.uniform(0, 1, n),
    "days_since_inquiry": lambda r, n: r.exponential(40, n),
    "score_delta": lambda r, n: r.logistic(0, 1, n),
    "balance": lambda r, n: r.normal(0, 1, n) + np.where(r.random(n) < 0.4, -2.0, 3.0),
    "tenure": lambda r, n: r.weibull(1.5, n) * 24,
    "payments_late": lambda r, n: r.pareto(3, n),
    "rate": lambda r, n: np.round(r.normal(7.5, 1.2, n), 2),
    "term_months": lambda r, n: r.choice([12.0, 24, 36, 48, 60, 72, 84], n),
}
CATEGORICAL: dict[str, NDArray[np.float64]] = {
    "purpose": np.array([0.3, 0.25, 0.1, 0.1, 0.25]),
    "employment": np.array([0.65, 0.18, 0.07, 0.1]),
    "region": np.full(6, 1 / 6),
    "has_cosigner": np.array([0.8, 0.2]),
    "channel": np.array([0.5, 0.3, 0.2]),
    "product": np.array([0.4, 0.3, 0.15, 0.1, 0.04, 0.006, 0.004]),
}
CONFIG = DriftConfig(
    window="1h",
    interval="1h",
    persistence=Persistence(k=2, m=3),
    methods={
        "rate": FeatureMethod(method="ks"),
        "utilisation": FeatureMethod(method="psi"),
        "employment": FeatureMethod(method="chisquare"),
        "channel": FeatureMethod(method="chisquare"),
        "product": FeatureMethod(method="g_test"),
    },
)


def _categories(rng: np.random.Generator, shares: NDArray[np.float64], n: int) -> NDArray:
    """Category codes (order is irrelevant to every categorical method)."""
    return np.repeat(np.arange(shares.size), rng.multinomial(n, shares))


def _draw(rng: np.random.Generator, n: int, shifted_minutes: int = 0) -> dict[str, NDArray]:
    values: dict[str, NDArray] = {name: draw(rng, n) for name, draw in NUMERIC.items()}
    values |= {name: _categories(rng, p, n) for name, p in CATEGORICAL.items()}
    if shifted_minutes:
        # 40% of the applicants who arrived after the shift earn one std more.
        after = np.arange(n) >= n * (60 - shifted_minutes) // 60
        values["income"] = values["income"] + (after & (rng.random(n) < 0.4)) * INCOME_STD
    return values


INCOME_STD = float(np.exp(10.8 + 0.45**2 / 2) * np.sqrt(np.exp(0.45**2) - 1))


class Monitor:
    """The drift job's loop over windows, with each feature's earlier verdicts."""

    def __init__(self, reference: dict[str, NDArray]) -> None:
        self.reference = reference
        self.earlier: dict[str, list[bool]] = {name: [] for name in reference}
        self.raw_significant = 0

    def window(self, current: dict[str, NDArray]) -> list[str]:
        """Evaluate one window; the features that breach."""
        columns: dict[str, ColumnInput] = {
            name: ("numeric" if name in NUMERIC else "categorical", self.reference[name], values)
            for name, values in current.items()
        }
        outcomes = window_drift(columns, CONFIG, self.earlier)
        for name, outcome in outcomes.items():
            assert outcome.computable, outcome.drift.reason
            self.earlier[name] = [*self.earlier[name][-2:], outcome.verdict.drifted]
            result = outcome.drift.result
            self.raw_significant += bool(
                result and result.p_value is not None and result.p_value < 0.05
            )
        return [name for name, outcome in outcomes.items() if outcome.breach]


@pytest.fixture(scope="module")
def month() -> tuple[Monitor, list[list[str]]]:
    rng = np.random.default_rng(2026)
    reference = {
        name: np.sort(v) if name in NUMERIC else v for name, v in _draw(rng, PER_HOUR).items()
    }
    monitor = Monitor(reference)
    return monitor, [monitor.window(_draw(rng, PER_HOUR)) for _ in range(DAYS * 24)]


def test_a_stationary_month_raises_at_most_one_drift_alert(
    month: tuple[Monitor, list[list[str]]],
) -> None:
    monitor, breaches = month
    assert sum(len(b) for b in breaches) <= 1
    # The gates matter: the raw p-values of the four tested features alone cross 5% often.
    assert monitor.raw_significant > 50


def test_a_covariate_shift_in_part_of_the_population_is_caught_in_the_first_window_after_it(
    month: tuple[Monitor, list[list[str]]],
) -> None:
    monitor, _ = month
    rng = np.random.default_rng(31)
    day_31 = [monitor.window(_draw(rng, PER_HOUR)) for _ in range(14)]  # 00:00 to 14:00
    during = monitor.window(_draw(rng, PER_HOUR, shifted_minutes=40))  # 14:00-15:00, from 14:20
    first_full = monitor.window(_draw(rng, PER_HOUR, shifted_minutes=60))  # 15:00-16:00
    assert not any(day_31)
    assert during == []  # drifted, held back by persistence
    assert monitor.earlier["income"][-2:] == [True, True]
    assert first_full == ["income"]
