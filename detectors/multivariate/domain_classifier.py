"""Domain-classifier drift: can a classifier tell the window's rows from the reference's?

A classifier learns to label rows "reference" (0) or "current" (1); its cross-validated ROC
AUC is the statistic. With no drift no classifier does better than chance (AUC 0.5); the
more the joint distribution moved -- marginals, or only the relations between features --
the higher the AUC. This is alibi-detect's ``ClassifierDrift`` and Evidently's ``model``
embedding method, on tabular rows.

- **Classifier**: scikit-learn's ``HistGradientBoostingClassifier`` by default (handles
  nulls and categorical codes natively, catches interactions), or a logistic regression on
  standardized, one-hot-encoded rows (``classifier: logistic``; linear shifts only, faster).
- **AUC**: out-of-fold predictions of stratified ``folds``-fold cross-validation, so every
  row is scored by a model that did not see it; an AUC on training rows would be
  optimistic and alert on stationary traffic.
- **Threshold 0.55** (Evidently's default for its domain classifier): AUC 0.55 means a
  random current row outranks a random reference row 55% of the time, a small but real
  separation. It is also far above the noise: with ``n`` rows per side the AUC of two
  samples from one distribution has standard deviation ``sqrt((2n + 1) / (12 n^2))``, 0.013
  at n = 1,000 and 0.006 at the default ``sample_size`` of 5,000, so 0.55 is 4 to 8 standard
  deviations away, and, unlike a p-value, it does not shrink towards 0.5 as windows grow:
  at large N it reports shifts that matter, not every tiny one.
- **Top features**: permutation importance on the held-out folds -- the AUC lost when one
  column is shuffled, averaged over folds -- tells which features carry the drift.

``details["p_value"]`` is the one-sided Mann-Whitney p-value of the out-of-fold AUC (normal
approximation), for information: the verdict uses the threshold.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MultivariateMethod, MultivariateResult

Classifier = Literal["gradient_boosting", "logistic"]
#: Fewer rows on a side: the cross-validated AUC is not computable.
MIN_ROWS = 50

DOMAIN_CLASSIFIER = MultivariateMethod(
    name="domain_classifier",
    description="cross-validated ROC AUC of a classifier telling current rows from reference",
    default_threshold=0.55,
    direction="above",
    bounds=(0.5, 1.0),
)


def _model(classifier: Classifier, categorical: NDArray[np.bool_], seed: int) -> Any:
    if classifier == "gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            max_iter=100,
            categorical_features=categorical if categorical.any() else None,
            early_stopping=False,
            random_state=seed,
        )
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = np.flatnonzero(~categorical)
    codes = np.flatnonzero(categorical)
    transform = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=-1),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                codes,
            ),
        ]
    )
    return make_pipeline(transform, LogisticRegression(max_iter=1000))


def auc_null_std(n_reference: int, n_current: int) -> float:
    """Standard deviation of the AUC of two samples from one distribution (Mann-Whitney)."""
    return math.sqrt((n_reference + n_current + 1) / (12 * n_reference * n_current))


def domain_classifier(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    categorical: NDArray[np.bool_],
    names: tuple[str, ...],
    threshold: float = DOMAIN_CLASSIFIER.default_threshold,
    seed: int = 0,
    classifier: Classifier = "gradient_boosting",
    folds: int = 5,
    top_features: int = 5,
) -> MultivariateResult:
    """Cross-validated AUC of reference-vs-current; drifted when above ``threshold``.

    Rows are the matrices of :mod:`detectors.multivariate.matrix` (NaN for nulls, codes for
    categories); callers check both sides have at least ``MIN_ROWS`` rows.
    """
    # scikit-learn first: threadpool_limits only limits the thread pools already loaded.
    import sklearn.ensemble
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    # One thread: the job shares the process with the API, and OpenMP's thread pool slows
    # down by an order of magnitude when the cores are busy (measured: 4 s single-threaded
    # against 60 s with the default pool on a loaded 2-core machine).
    with threadpool_limits(limits=1):
        return _domain_classifier(
            reference, current, categorical, names, threshold, seed, classifier, folds,
            top_features,
        )  # fmt: skip


def _domain_classifier(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    categorical: NDArray[np.bool_],
    names: tuple[str, ...],
    threshold: float,
    seed: int,
    classifier: Classifier,
    folds: int,
    top_features: int,
) -> MultivariateResult:
    from scipy.stats import norm
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    x = np.vstack([reference, current])
    y = np.r_[np.zeros(reference.shape[0]), np.ones(current.shape[0])]
    rng = np.random.default_rng(seed)
    scores = np.empty(y.size, dtype=np.float64)
    importance = np.zeros(x.shape[1], dtype=np.float64)
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y)
    for train, test in splits:
        model = _model(classifier, categorical, seed).fit(x[train], y[train])
        held_out = model.predict_proba(x[test])[:, 1]
        scores[test] = held_out
        base = roc_auc_score(y[test], held_out)
        for j in range(x.shape[1]):
            shuffled = x[test].copy()
            shuffled[:, j] = rng.permutation(shuffled[:, j])
            importance[j] += base - roc_auc_score(y[test], model.predict_proba(shuffled)[:, 1])
    importance /= folds
    auc = float(roc_auc_score(y, scores))
    std = auc_null_std(reference.shape[0], current.shape[0])
    order = np.argsort(-importance, kind="stable")[:top_features]
    return MultivariateResult(
        value=auc,
        threshold=threshold,
        drifted=auc > threshold,
        details={
            "auc": auc,
            "classifier": classifier,
            "folds": folds,
            "auc_null_std": std,
            "p_value": float(norm.sf((auc - 0.5) / std)),
            "reference_rows": int(reference.shape[0]),
            "current_rows": int(current.shape[0]),
            "top_features": [
                {"feature": names[j], "importance": float(importance[j])} for j in order
            ],
        },
    )
