"""Fairness metrics equal fairlearn's on the same data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as fl
from sklearn.metrics import precision_score

from detectors.fairness import FAIRNESS_METRICS, GroupRates, group_rates

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def biased_data(n: int = 5000, seed: int = 8) -> Arrays:
    """Labels, predictions favouring some groups, and two protected attributes."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["f", "m", "x"], n, p=[0.45, 0.45, 0.1])
    age = rng.choice(["18-30", "31-50", "51+"], n)
    y_true = (rng.random(n) < np.where(sex == "m", 0.4, 0.3)).astype(np.int64)
    boost = np.where(age == "51+", -0.15, 0.0) + np.where(sex == "f", -0.1, 0.0)
    y_pred = (rng.random(n) < np.clip(0.2 + 0.5 * y_true + boost, 0, 1)).astype(np.int64)
    return y_true, y_pred, sex, age


def intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([f"{x}&{y}" for x, y in zip(a, b, strict=True)])


@pytest.fixture(scope="module")
def data() -> Arrays:
    return biased_data()


def test_group_sizes_and_rates_equal_fairlearns_metric_frame(data: Arrays) -> None:
    y_true, y_pred, sex, _ = data
    frame = fl.MetricFrame(
        metrics={"size": fl.count, "selection_rate": fl.selection_rate,
                 "tpr": fl.true_positive_rate, "fpr": fl.false_positive_rate,
                 "fnr": fl.false_negative_rate, "precision": precision_score},
        y_true=y_true, y_pred=y_pred, sensitive_features=sex,
    )  # fmt: skip
    ours = group_rates(y_true, y_pred, sex).table()
    expected = frame.by_group.to_dict(orient="index")
    assert set(ours) == set(expected)
    for group, row in expected.items():
        assert ours[group] == pytest.approx(row, rel=1e-12)


FAIRLEARN: list[tuple[str, Callable[..., Any]]] = [
    ("demographic_parity_difference", fl.demographic_parity_difference),
    ("demographic_parity_ratio", fl.demographic_parity_ratio),
    ("equal_opportunity_difference", fl.equal_opportunity_difference),
    ("equalized_odds_difference", fl.equalized_odds_difference),
    (
        "predictive_parity_difference",
        lambda y_true, y_pred, sensitive_features: fl.MetricFrame(
            metrics=precision_score, y_true=y_true, y_pred=y_pred,
            sensitive_features=sensitive_features,
        ).difference(),
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "reference"), FAIRLEARN, ids=[f"{n} equals fairlearn" for n, _ in FAIRLEARN]
)
def test_a_fairness_metric_equals_fairlearn_for_one_attribute_and_an_intersection(
    data: Arrays, name: str, reference: Callable[..., Any]
) -> None:
    y_true, y_pred, sex, age = data
    ours = FAIRNESS_METRICS[name].compute(group_rates(y_true, y_pred, sex))
    assert ours == pytest.approx(reference(y_true, y_pred, sensitive_features=sex), rel=1e-12)
    both = pd.DataFrame({"sex": sex, "age": age})
    crossed = FAIRNESS_METRICS[name].compute(group_rates(y_true, y_pred, intersections(sex, age)))
    assert crossed == pytest.approx(reference(y_true, y_pred, sensitive_features=both), rel=1e-12)


def test_a_single_group_is_not_computable_with_the_reason() -> None:
    rates: GroupRates = group_rates(np.array([0, 1]), np.array([1, 1]), np.array(["f", "f"]))
    result = FAIRNESS_METRICS["demographic_parity_ratio"].compute(rates)
    assert (
        getattr(result, "reason", "") == "the selection rate is defined for fewer than two groups"
    )
