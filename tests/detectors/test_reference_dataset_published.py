"""Accuracy, Cohen's kappa and ROC AUC against published results of public reference data.

The data are small published tables, embedded here as fixtures with their source:

- **SAS/STAT User's Guide, "The FREQ Procedure: Getting Started -- Agreement Study"**
  (https://documentation.sas.com/doc/en/pgmsascdc/9.4_3.5/statug/statug_freq_gettingstarted02.htm):
  two dermatologists rate 88 patients' skin condition (terrible, poor, marginal, clear). SAS
  prints a simple kappa of 0.3449 with 95% confidence limits (0.2030, 0.4868).
- **Wikipedia, "Cohen's kappa", Examples** (https://en.wikipedia.org/wiki/Cohen%27s_kappa):
  50 grant proposals read by two readers (yes/yes 20, yes/no 5, no/yes 10, no/no 15):
  observed agreement 0.7, kappa 0.4; and the two 100-case tables of "Same percentages but
  different numbers" with kappa 0.1304 and 0.2593.
- **Hanley JA, McNeil BJ. The meaning and use of the area under a receiver operating
  characteristic (ROC) curve. Radiology 1982;143:29-36, Table 1**: CT images of 109 patients
  rated on a five-point scale (definitely normal .. definitely abnormal); 58 normal
  (33, 6, 6, 11, 2) and 51 abnormal (3, 2, 2, 11, 33). Published area 0.893, standard
  error 0.032.

Each value is computed through Vigil's metric registry and interval functions, the same code
the performance job runs, and also checked against scikit-learn where it has the metric.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn import metrics as sk

from detectors.intervals import interval
from detectors.metrics import METRICS, MetricInput, NotComputable
from detectors.metrics.agreement import Weights, kappa_from_matrix, kappa_standard_error

SAS_SKIN_CONDITION = np.array(
    [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]], dtype=np.int64
)
WIKIPEDIA_PROPOSALS = np.array([[20, 5], [10, 15]], dtype=np.int64)
HANLEY_MCNEIL_NORMAL = (33, 6, 6, 11, 2)
HANLEY_MCNEIL_ABNORMAL = (3, 2, 2, 11, 33)


def rows_of(table: NDArray[np.int64]) -> MetricInput:
    """One row per counted case: the first rater as the label, the second as the prediction."""
    k = len(table)
    y_true = np.repeat(np.arange(k), table.sum(axis=1))
    y_pred = np.concatenate([np.repeat(np.arange(k), row) for row in table])
    return MetricInput(y_true, y_pred, np.full(len(y_true), np.nan), n_classes=k)


def ct_ratings() -> MetricInput:
    """Hanley & McNeil's ratings as scores in [0, 1] ((rating - 1) / 4: the order, hence the
    area, is unchanged), abnormal as the positive class."""
    ratings = np.arange(1, 6)
    normal = np.repeat(ratings, HANLEY_MCNEIL_NORMAL)
    abnormal = np.repeat(ratings, HANLEY_MCNEIL_ABNORMAL)
    y = np.r_[np.zeros(len(normal)), np.ones(len(abnormal))].astype(np.int64)
    score = (np.r_[normal, abnormal] - 1) / 4.0
    return MetricInput(y, (score >= 0.75).astype(np.int64), score)


def test_sas_agreement_study_kappa_and_confidence_limits_match_the_printout() -> None:
    data = rows_of(SAS_SKIN_CONDITION)
    kappa = METRICS["cohen_kappa"].compute(data)
    assert isinstance(kappa, float)
    assert kappa == pytest.approx(0.3449, abs=5e-5)
    found = interval(METRICS["cohen_kappa"], kappa, data, np.random.default_rng(0), 0, 0.95)
    assert found is not None and found.method == "kappa"
    assert (found.low, found.high) == (
        pytest.approx(0.2030, abs=5e-5),
        pytest.approx(0.4868, abs=5e-5),
    )
    assert METRICS["accuracy"].compute(data) == pytest.approx(45 / 88)
    assert kappa == pytest.approx(sk.cohen_kappa_score(data.y_true, data.y_pred), rel=1e-12)


def test_wikipedia_proposals_observed_agreement_and_kappa() -> None:
    data = rows_of(WIKIPEDIA_PROPOSALS)
    assert METRICS["accuracy"].compute(data) == pytest.approx(0.7)
    assert METRICS["cohen_kappa"].compute(data) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("table", "published"),
    [([[45, 15], [25, 15]], 0.1304), ([[25, 35], [5, 35]], 0.2593)],
    ids=["same agreement, balanced margins: 0.1304", "same agreement, opposite margins: 0.2593"],
)
def test_wikipedia_same_percentages_different_kappas(
    table: list[list[int]], published: float
) -> None:
    data = rows_of(np.array(table, dtype=np.int64))
    assert METRICS["accuracy"].compute(data) == pytest.approx(0.6)
    assert METRICS["cohen_kappa"].compute(data) == pytest.approx(published, abs=5e-5)


def test_hanley_mcneil_ct_ratings_area_and_standard_error() -> None:
    data = ct_ratings()
    auc = METRICS["roc_auc"].compute(data)
    assert isinstance(auc, float)
    assert auc == pytest.approx(0.893, abs=5e-4)
    assert auc == pytest.approx(sk.roc_auc_score(data.y_true, data.score), rel=1e-12)
    found = interval(METRICS["roc_auc"], auc, data, np.random.default_rng(0), 0, 0.95)
    assert found is not None and found.method == "hanley_mcneil"
    standard_error = (found.high - found.low) / 2 / 1.959963984540054
    assert standard_error == pytest.approx(0.032, abs=5e-4)


def test_hanley_mcneil_accuracy_at_probably_abnormal_or_worse() -> None:
    """Positive at ratings 4-5: 44 of 51 abnormal and 45 of 58 normal cases are right."""
    data = ct_ratings()
    assert METRICS["accuracy"].compute(data) == pytest.approx((44 + 45) / 109)
    assert METRICS["recall"].compute(data) == pytest.approx(44 / 51)


@pytest.mark.parametrize(
    "weights", [None, "linear", "quadratic"], ids=["unweighted", "linear", "quadratic"]
)
def test_kappa_equals_scikit_learn_with_each_weighting(weights: Weights) -> None:
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 5, 3000)
    y_pred = np.where(rng.random(3000) < 0.55, y_true, rng.integers(0, 5, 3000))
    y_pred[y_pred == 2] = 3  # class 2 is labelled but never predicted
    data = MetricInput(y_true, y_pred, np.full(3000, np.nan), n_classes=5)
    matrix = sk.confusion_matrix(y_true, y_pred, labels=range(5))
    expected = sk.cohen_kappa_score(y_true, y_pred, weights=weights)
    assert kappa_from_matrix(matrix, weights) == pytest.approx(expected, rel=1e-12)
    if weights is None:
        assert METRICS["cohen_kappa"].compute(data) == pytest.approx(expected, rel=1e-12)


def test_kappa_skips_classes_neither_labelled_nor_predicted_as_scikit_learn_does() -> None:
    y_true = np.array([0, 0, 3, 3, 3, 0, 3, 0])
    y_pred = np.array([0, 3, 3, 3, 0, 0, 3, 0])
    matrix = sk.confusion_matrix(y_true, y_pred, labels=range(4))
    expected = sk.cohen_kappa_score(y_true, y_pred, weights="linear")
    assert kappa_from_matrix(matrix, "linear") == pytest.approx(expected, rel=1e-12)


def test_one_class_everywhere_gives_not_computable_kappa_with_the_reason() -> None:
    data = MetricInput(np.zeros(50, np.int64), np.zeros(50, np.int64), np.full(50, np.nan))
    result = METRICS["cohen_kappa"].compute(data)
    assert isinstance(result, NotComputable) and "one class" in result.reason
    assert kappa_standard_error(np.array([[50, 0], [0, 0]])) is None
