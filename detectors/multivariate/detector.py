"""The multivariate drift detector: one signal per model and window.

A pure function of the model's reference, the window's feature dicts and the settings: no
database, no clock. The signal has detector ``multivariate_drift``, subject ``__all__``
(all features at once), the method as its metric, the method's value and threshold, and
``details`` with the method's facts (for the domain classifier, ``top_features``: the
features that carry the drift). It is ``not_computable``, with ``details["reason"]``, when
no feature can enter the matrix, when either side has fewer than ``min_rows`` rows, when
the method needs an extra that is not installed, or when the method says so.

Rows are drawn at random (at most ``sample_size`` per side) with a seed taken from the
window's end, so re-running a window gives the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from detectors.multivariate import MULTIVARIATE_FUNCTIONS, MULTIVARIATE_METHODS
from detectors.multivariate.base import MissingExtra, NotComputable
from detectors.multivariate.config import MultivariateConfig, MultivariateSettings
from detectors.multivariate.matrix import Matrix, sample_rows, tabular_matrix
from detectors.reference import Reference
from store.records import Signal, SignalStatus
from store.specs import ModelSpec

DETECTOR = "multivariate_drift"
#: The subject of the model-wide signal.
SUBJECT = "__all__"


def _signal(
    spec: ModelSpec,
    settings: MultivariateSettings,
    start: datetime,
    end: datetime,
    rows: int,
    details: dict[str, Any],
    value: float | None = None,
    drifted: bool | None = None,
) -> Signal:
    status: SignalStatus = "not_computable"
    if drifted is not None:
        status = "breach" if drifted else "ok"
    return Signal(
        detector=DETECTOR, model=spec.name, subject=SUBJECT, metric=settings.method,
        window_start=start, window_end=end, value=value, threshold=settings.threshold,
        status=status, sample_size=rows, details=details,
    )  # fmt: skip


def _problem(matrix: Matrix, min_rows: int) -> str | None:
    if not matrix.names:
        return "no feature can be compared: " + "; ".join(
            f"{name}: {why}" for name, why in matrix.skipped.items()
        )
    if matrix.current.shape[0] < min_rows:
        return f"only {matrix.current.shape[0]} rows in the window; min_rows is {min_rows}"
    if matrix.reference.shape[0] < min_rows:
        return f"only {matrix.reference.shape[0]} reference rows; min_rows is {min_rows}"
    return None


def multivariate_drift(
    spec: ModelSpec,
    reference: Reference,
    window_rows: Sequence[Mapping[str, Any]],
    window_start: datetime,
    window_end: datetime,
    config: MultivariateConfig,
) -> Signal:
    """The model's multivariate drift signal for one window (see the module docstring)."""
    settings = config.for_model(spec.name)
    matrix = tabular_matrix(spec.features, reference, window_rows)
    details: dict[str, Any] = {"method": settings.method}
    if matrix.skipped:
        details["skipped_features"] = dict(matrix.skipped)
    reason = _problem(matrix, config.min_rows)
    if reason is not None:
        return _signal(spec, settings, window_start, window_end, len(window_rows),
                       {**details, "reason": reason})  # fmt: skip
    seed = int(window_end.timestamp()) % (2**32)
    rng = np.random.default_rng(seed)
    ref = sample_rows(matrix.reference, settings.sample_size, rng)
    cur = sample_rows(matrix.current, settings.sample_size, rng)
    function = MULTIVARIATE_FUNCTIONS[settings.method]
    options: dict[str, Any] = {"threshold": settings.threshold, "seed": seed}
    if settings.method == "domain_classifier":
        options.update(classifier=settings.classifier, top_features=config.top_features)
    try:
        result = function(ref, cur, matrix.categorical, matrix.names, **options)
    except (MissingExtra, NotComputable) as exc:
        return _signal(spec, settings, window_start, window_end, len(window_rows),
                       {**details, "reason": str(exc)})  # fmt: skip
    details.update(result.details)
    details["direction"] = MULTIVARIATE_METHODS[settings.method].direction
    return _signal(
        spec, settings, window_start, window_end, int(cur.shape[0]), details,
        value=result.value, drifted=result.drifted,
    )  # fmt: skip
