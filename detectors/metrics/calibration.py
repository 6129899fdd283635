"""Expected calibration error: how far scores are from observed positive rates.

Scores are put in ``bins`` equal-width bins on [0, 1], closed on the right (a score on an
edge belongs to the lower bin, 0 to the first), as Guo et al. and scikit-learn bin them;
ECE is the mean over bins of ``|positive rate - mean score|`` weighted by the bin's share
of rows. This is the usual definition (Guo et al., 2017, on the positive class); the bins
of scikit-learn's ``calibration_curve(strategy="uniform")`` are the same.
"""

from __future__ import annotations

import numpy as np

from detectors.metrics.base import MetricInput, MetricValue, NotComputable, empty_reason, scored

BINS = 10


def expected_calibration_error(data: MetricInput, bins: int = BINS) -> MetricValue:
    if (reason := empty_reason(data)) is not None:
        return reason
    found = scored(data)
    if isinstance(found, NotComputable):
        return found
    edges = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    index = np.searchsorted(edges, found.score, side="left")
    counts = np.bincount(index, minlength=bins).astype(np.float64)
    positives = np.bincount(index, weights=(found.y_true == 1).astype(np.float64), minlength=bins)
    score_sums = np.bincount(index, weights=found.score, minlength=bins)
    gap = np.abs(positives - score_sums)  # = count * |rate - mean score|
    return float(gap.sum() / counts.sum())


def ece(data: MetricInput) -> MetricValue:
    return expected_calibration_error(data)
