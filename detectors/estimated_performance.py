"""Estimated performance of one window without labels: CBPE estimates as signals.

:func:`window_estimates` is a pure function of a spec, a fitted
:class:`~detectors.cbpe_reference.CbpeReference`, a window's scores and predictions and the
config. One signal per configured metric (subject = the metric): the estimate as the value,
and in the details the sampling error, the band ``estimate ± band_sigmas · error`` that the
realized metric should fall in, and the reference's mean realized value. A window needs
``min_predictions`` scored predictions.

**Thresholds.** A metric with a configured ``min`` or ``max`` breaches against those. A
metric without either breaches against the *reference band*, as NannyML's CBPE does by
default: the realized metric on the labelled reference's chunks has mean ``m`` and standard
deviation ``s``; the window's thresholds are ``m ± band_sigmas · s · sqrt(chunk / n)`` (the
chunk spread scaled to the window's ``n`` predictions, so ``m ± 3s`` for a window of one
chunk), clipped to ``[0, 1]``. ``reference_band: worse`` (the default) breaches on the side
where the metric is worse only -- below the lower threshold, a drop; ``both`` also on the
other side (NannyML's rule); ``off`` never breaches without configured bounds. The
thresholds and where they came from are in ``details["thresholds"]``.
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


def thresholds(
    mean: float | None, error: float | None, bound: MetricBound,
    config: EstimatedPerformanceConfig, higher_is_better: bool = True,
    clip: tuple[float | None, float | None] = (0.0, 1.0),
) -> dict[str, Any]:  # fmt: skip
    """The window's ``lower``/``upper`` thresholds and their ``source``: the configured
    bounds, else the reference band ``mean ± band_sigmas · error`` on the side where the
    metric is worse (both sides with ``reference_band: both``), clipped to ``clip``."""
    if bound.min is not None or bound.max is not None:
        return {"lower": bound.min, "upper": bound.max, "source": "configured"}
    if config.reference_band == "off" or mean is None or error is None:
        return {"lower": None, "upper": None, "source": "none"}
    half = config.band_sigmas * error
    lower: float | None = mean - half if clip[0] is None else max(mean - half, clip[0])
    upper: float | None = mean + half if clip[1] is None else min(mean + half, clip[1])
    if config.reference_band == "worse":
        lower, upper = (lower, None) if higher_is_better else (None, upper)
    return {"lower": lower, "upper": upper, "source": "reference_band"}


def status_of(value: float, found: dict[str, Any]) -> SignalStatus:
    """``breach`` outside the thresholds, else ``ok``."""
    below = found["lower"] is not None and value < found["lower"]
    above = found["upper"] is not None and value > found["upper"]
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
        mean, error = reference.chunk_mean.get(name), reference.sampling_error(name, n)
        limits = thresholds(mean, error, bound, config)
        details["thresholds"] = limits
        if n < config.min_predictions:
            details["reason"] = (
                f"{n} scored predictions, fewer than min_predictions ({config.min_predictions})"
            )
        else:
            result = ESTIMATORS[name](p, y_pred, score)
            if isinstance(result, NotComputable):
                details["reason"] = result.reason
            else:
                value, status = result, status_of(result, limits)
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
                threshold=limits["lower"] if limits["lower"] is not None else limits["upper"],
                status=status,
                sample_size=n,
                details=details,
            )
        )
    return found
