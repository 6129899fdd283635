"""Cohen's kappa: agreement of predictions with labels beyond what chance would give.

``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed agreement (accuracy) and
``p_e`` the agreement expected from the two marginal distributions alone. Weighted kappa
(``linear`` or ``quadratic``) counts near misses of ordered classes as partial agreement.
Values equal scikit-learn's ``cohen_kappa_score`` (classes neither labelled nor predicted are
left out, as scikit-learn builds its matrix from the labels present). A window where chance
alone agrees perfectly (one class everywhere) has no kappa.

The asymptotic standard error of the unweighted kappa is that of Fleiss, Cohen & Everitt
(1969), the one SAS ``PROC FREQ`` prints as ``ASE``; the ``kappa`` interval is
``kappa ± z · ASE`` clipped to ``[-1, 1]``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason
from detectors.metrics.confusion import confusion_matrix

Weights = Literal["linear", "quadratic"] | None


def _present(matrix: NDArray[np.int64]) -> NDArray[np.float64]:
    """The matrix restricted to classes labelled or predicted at least once."""
    keep = (matrix.sum(axis=0) + matrix.sum(axis=1)) > 0
    return np.asarray(matrix[np.ix_(keep, keep)], dtype=np.float64)


def kappa_from_matrix(matrix: NDArray[np.int64], weights: Weights = None) -> MetricValue:
    """Cohen's kappa (optionally weighted) from a confusion matrix ``[true, predicted]``."""
    counts = _present(matrix)
    n = counts.sum()
    if n == 0:
        return NotComputable("no labelled predictions")
    k = len(counts)
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / n
    if weights is None:
        disagreement = 1.0 - np.eye(k)
    else:
        distance = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(np.float64)
        disagreement = distance if weights == "linear" else distance**2
    chance = float(np.sum(disagreement * expected))
    if chance == 0:
        return NotComputable("one class only: chance agreement is perfect, kappa is undefined")
    return float(1.0 - np.sum(disagreement * counts) / chance)


def cohen_kappa(data: MetricInput) -> MetricValue:
    """Unweighted Cohen's kappa of the predictions against the labels."""
    if (reason := empty_reason(data)) is not None:
        return reason
    return kappa_from_matrix(confusion_matrix(data))


def kappa_standard_error(matrix: NDArray[np.int64]) -> float | None:
    """Fleiss-Cohen-Everitt asymptotic standard error of the unweighted kappa, or None."""
    counts = _present(matrix)
    n = counts.sum()
    if n == 0:
        return None
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    observed, chance = float(np.trace(p)), float(rows @ cols)
    if chance >= 1:
        return None
    kappa = (observed - chance) / (1 - chance)
    diagonal = float(np.sum(np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2))
    spread = np.add.outer(cols, rows)  # cell (i, j): p_.i + p_j.
    off = p * (1 - np.eye(len(p)))
    off_diagonal = (1 - kappa) ** 2 * float(np.sum(off * spread**2))
    correction = (kappa - chance * (1 - kappa)) ** 2
    variance = (diagonal + off_diagonal - correction) / (n * (1 - chance) ** 2)
    return math.sqrt(max(variance, 0.0))
