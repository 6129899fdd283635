"""Embedding drift by a domain classifier, exactly as Evidently's ``model()`` method.

Reference vectors are labelled 1 and current ones 0, the rows (reference first) are split in
half (``train_test_split(test_size=0.5, shuffle=True, random_state=42)``), an SGD logistic
regression (``SGDClassifier(loss="log_loss", random_state=42)``) learns on one half and its
ROC AUC on the other half is the value; drifted above ``threshold`` (0.55, Evidently's
default: see :mod:`detectors.multivariate.domain_classifier` for what 0.55 means). With
``pca_components``, both sides are first projected on that many principal components of the
reference (``PCA(random_state=0)``), as Evidently does.

The same steps and seeds as Evidently 0.7, so the AUC equals Evidently's on the same data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors.multivariate.base import MultivariateResult

#: Evidently's default threshold of its ``model()`` embedding drift method.
MODEL_THRESHOLD = 0.55


def pca_projection(
    reference: NDArray[np.float64], current: NDArray[np.float64], components: int | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Both sides on the reference's first ``components`` principal components (or as is)."""
    if not components:
        return reference, current
    from sklearn.decomposition import PCA

    pca = PCA(n_components=components, random_state=0)
    return pca.fit_transform(reference), pca.transform(current)


def embedding_model(
    reference: NDArray[np.float64],
    current: NDArray[np.float64],
    threshold: float = MODEL_THRESHOLD,
    pca_components: int | None = None,
) -> MultivariateResult:
    """Evidently's domain-classifier ROC AUC on embeddings (see the module docstring)."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    ref, cur = pca_projection(reference, current, pca_components)
    x = np.vstack([ref, cur])
    y = np.r_[np.ones(ref.shape[0], dtype=np.int64), np.zeros(cur.shape[0], dtype=np.int64)]
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.5, random_state=42, shuffle=True
    )
    model = SGDClassifier(loss="log_loss", random_state=42).fit(x_train, y_train)
    auc = float(roc_auc_score(y_test, model.predict_proba(x_test)[:, 1]))
    return MultivariateResult(
        value=auc,
        threshold=threshold,
        drifted=auc > threshold,
        details={"auc": auc, "test_rows": int(y_test.size), "pca_components": pca_components},
    )
