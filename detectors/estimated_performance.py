"""Estimated performance of one window without labels: CBPE estimates as signals.

:func:`window_estimates` is a pure function of a spec, a fitted
:class:`~detectors.cbpe_reference.CbpeReference`, a window's scores and predictions and the
config. One signal per configured metric (subject = the metric): the estimate as the value,
and in the details the sampling error, the band ``estimate ± band_sigmas · error`` that the
realized metric should fall in, and the reference's mean realized value. A window needs
``min_predictions`` scored predictions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from detectors.cbpe import ESTIMATORS
from detectors.cbpe_reference import CbpeReference
from detectors.label_encoding import normalise
from detectors.metrics import NotComputable
from detectors.performance_config import EstimatedPerformanceConfig, MetricBound
from store.records import Signal, SignalStatus
from store.specs import ModelSpec
from store.window_scores import ScoredWindow

DETECTOR = "estimated_performance"


def predicted_positive(window: ScoredWindow, config: EstimatedPerformanceConfig) -> np.ndarray:
    """0/1 predictions: the logged one where there is one, else the score's threshold."""
    positive = normalise(config.positive_label)
    by_score = window.score >= config.decision_threshold
    return np.array(
        [
            normalise(p) == positive if p is not None else s
            for p, s in zip(window.prediction, by_score, strict=True)
        ],
        dtype=np.int64,
    )


def _status(value: float, bound: MetricBound) -> SignalStatus:
    below = bound.min is not None and value < bound.min
    above = bound.max is not None and value > bound.max
    return "breach" if below or above else "ok"


def window_estimates(
    spec: ModelSpec,
    reference: CbpeReference,
    window: ScoredWindow,
    start: datetime,
    end: datetime,
    config: EstimatedPerformanceConfig,
) -> list[Signal]:
    """The estimated-performance signals of one binary model's window."""
    scored = np.isfinite(window.score)
    y_pred = predicted_positive(window, config)[scored]
    score = window.score[scored]
    p = reference.calibrate(score) if len(score) else score
    n = len(score)
    found = []
    for name, bound in config.metrics.items():
        details: dict[str, Any] = {
            "predictions": len(window.score),
            "scored": n,
            "reference_mean": reference.chunk_mean.get(name),
            "bound": bound.model_dump(),
        }
        value: float | None = None
        status: SignalStatus = "not_computable"
        if n < config.min_predictions:
            details["reason"] = (
                f"{n} scored predictions, fewer than min_predictions ({config.min_predictions})"
            )
        else:
            result = ESTIMATORS[name](p, y_pred, score)
            if isinstance(result, NotComputable):
                details["reason"] = result.reason
            else:
                value, status = result, _status(result, bound)
                error = reference.sampling_error(name, n)
                details["sampling_error"] = error
                if error is not None:
                    half = config.band_sigmas * error
                    details["band"] = {"low": value - half, "high": value + half}
        found.append(
            Signal(
                detector=DETECTOR,
                model=spec.name,
                subject=name,
                metric=name,
                window_start=start,
                window_end=end,
                value=value,
                threshold=bound.min if bound.min is not None else bound.max,
                status=status,
                sample_size=n,
                details=details,
            )
        )
    return found
