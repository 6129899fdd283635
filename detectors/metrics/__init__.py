"""Performance metrics: one concept per module, collected here in one explicit mapping.

Each metric is a pure function of a :class:`~detectors.metrics.base.MetricInput` (numpy
arrays, no pandas, no scikit-learn) returning a float or a
:class:`~detectors.metrics.base.NotComputable` with the reason. Every value equals
scikit-learn's on the same data (``tests/detectors/test_metric_parity.py``).

===============  ===========================  ============  ==============
name             what                         tasks         interval
===============  ===========================  ============  ==============
accuracy         share correct                bin, multi    wilson
precision        of the positive class        bin           wilson
recall           of the positive class (TPR)  bin           wilson
f1               of the positive class        bin           bootstrap
precision_macro  unweighted over classes      bin, multi    bootstrap
recall_macro     unweighted over classes      bin, multi    bootstrap
f1_macro         unweighted over classes      bin, multi    bootstrap
f1_weighted      weighted by class support    bin, multi    bootstrap
cohen_kappa      agreement beyond chance      bin, multi    kappa (ASE)
roc_auc          Mann-Whitney AUC             bin           hanley_mcneil
pr_auc           average precision            bin           bootstrap
log_loss         mean negative log-likelihood bin           mean
brier            mean squared score error     bin           mean
ece              expected calibration error   bin           bootstrap
mae, rmse, mape  absolute / squared / %       regression    mean / bootstrap / mean
r2               coefficient of determination regression    bootstrap
mean_error       mean(y_pred - y_true)        regression    mean
ndcg@k           NDCG of the taken action     ranking       mean
mrr              mean reciprocal rank         ranking       mean
hit_rate@k       taken action in the top k    ranking       mean
===============  ===========================  ============  ==============

Ranking metrics carry their cut-off in the name (``ndcg@5``, ``hit_rate@3``, any ``k`` from 1
to 999), so they are not in :data:`METRICS`; :func:`resolve` finds every metric by name.

The confusion matrix is not a metric with one value; :mod:`detectors.performance` stores
it in the details of the accuracy signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from detectors.metrics import (
    agreement,
    average_precision,
    calibration,
    confusion,
    precision_recall,
    ranking,
    regression,
    roc_auc,
    scoring_rules,
)
from detectors.metrics.base import Metric, MetricInput, MetricValue, NotComputable, Task

BINARY: frozenset[Task] = frozenset({"binary_classification"})
CLASSIFICATION: frozenset[Task] = frozenset({"binary_classification", "multiclass_classification"})
REGRESSION: frozenset[Task] = frozenset({"regression"})

_ALL = (
    Metric(
        "accuracy", CLASSIFICATION, confusion.accuracy, True, "wilson", "share correct",
        confusion.correct,
    ),
    Metric(
        "precision", BINARY, precision_recall.precision, True, "wilson", "PPV",
        precision_recall.precision_trials,
    ),
    Metric(
        "recall", BINARY, precision_recall.recall, True, "wilson", "TPR",
        precision_recall.recall_trials,
    ),
    Metric(
        "f1", BINARY, precision_recall.f1, True, "bootstrap", "F1 of the positive class",
        from_matrix=precision_recall.matrix_metric("f1", "binary"),
    ),
    Metric(
        "precision_macro", CLASSIFICATION, precision_recall.precision_macro, True, "bootstrap",
        "precision, unweighted mean over classes",
        from_matrix=precision_recall.matrix_metric("precision", "macro"),
    ),
    Metric(
        "recall_macro", CLASSIFICATION, precision_recall.recall_macro, True, "bootstrap",
        "recall, unweighted mean over classes",
        from_matrix=precision_recall.matrix_metric("recall", "macro"),
    ),
    Metric(
        "f1_macro", CLASSIFICATION, precision_recall.f1_macro, True, "bootstrap",
        "F1, unweighted mean over classes",
        from_matrix=precision_recall.matrix_metric("f1", "macro"),
    ),
    Metric(
        "f1_weighted", CLASSIFICATION, precision_recall.f1_weighted, True, "bootstrap",
        "F1, mean weighted by class support",
        from_matrix=precision_recall.matrix_metric("f1", "weighted"),
    ),
    Metric(
        "cohen_kappa", CLASSIFICATION, agreement.cohen_kappa, True, "kappa",
        "Cohen's kappa: agreement beyond chance", from_matrix=agreement.kappa_from_matrix,
    ),
    Metric("roc_auc", BINARY, roc_auc.roc_auc, True, "hanley_mcneil", "area under ROC"),
    Metric(
        "pr_auc", BINARY, average_precision.average_precision, True, "bootstrap",
        "average precision",
    ),
    Metric(
        "log_loss", BINARY, scoring_rules.log_loss, False, "mean", "log loss",
        scoring_rules.scored_log_losses,
    ),
    Metric(
        "brier", BINARY, scoring_rules.brier, False, "mean", "Brier score",
        scoring_rules.scored_brier_losses,
    ),
    Metric("ece", BINARY, calibration.ece, False, "bootstrap", "expected calibration error"),
    Metric(
        "mae", REGRESSION, regression.mae, False, "mean", "mean absolute error",
        regression.absolute_errors,
    ),
    Metric("rmse", REGRESSION, regression.rmse, False, "bootstrap", "root mean squared error"),
    Metric(
        "mape", REGRESSION, regression.mape, False, "mean", "mean absolute % error",
        regression.absolute_percentage_errors,
    ),
    Metric("r2", REGRESSION, regression.r2, True, "bootstrap", "coefficient of determination"),
    Metric(
        "mean_error", REGRESSION, regression.mean_error, False, "mean", "bias",
        regression.errors,
    ),
)  # fmt: skip

#: Every built-in metric by name.
METRICS: Mapping[str, Metric] = MappingProxyType({m.name: m for m in _ALL})

#: What a model gets when the config names no metrics.
DEFAULT_METRICS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "binary_classification": ("accuracy", "precision", "recall", "f1", "roc_auc", "brier"),
        "multiclass_classification": ("accuracy", "f1_macro", "f1_weighted"),
        "regression": ("mae", "rmse", "r2", "mean_error"),
        "ranking": ("ndcg@5", "mrr", "hit_rate@1", "hit_rate@3"),
    }
)


def resolve(name: str) -> Metric | None:
    """The metric called ``name``: a built-in, or a ranking metric with its cut-off."""
    return METRICS.get(name) or ranking.ranking_metric(name)


__all__ = [
    "DEFAULT_METRICS",
    "METRICS",
    "Metric",
    "MetricInput",
    "MetricValue",
    "NotComputable",
    "Task",
    "resolve",
]
