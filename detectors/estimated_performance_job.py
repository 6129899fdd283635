"""The scheduled estimated-performance job: each model's window, no labels.

Binary classification models are estimated by CBPE (:mod:`detectors.estimated_performance`),
regression models by direct loss estimation (:mod:`detectors.estimated_performance_dle`).
Each run reads the last window's scores and predictions (and, for DLE, features) and stores
one signal per estimated metric. A model's reference (calibrator or error regressors, and
sampling errors) is fitted on the first run that needs it and kept; while it cannot be
loaded, the model's signals are ``not_computable`` with the reason, logged once per distinct
error. Only models with a reference dataset are estimated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.cbpe_reference import CbpeReference, load_cbpe_reference
from detectors.dle import DleReference
from detectors.errors import ReferenceDataError
from detectors.estimated_performance import DETECTOR, window_estimates
from detectors.estimated_performance_dle import load_dle_reference, window_dle
from detectors.performance_config import EstimatedPerformanceConfig
from store.durations import align
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec
from store.window_inputs import window_inputs
from store.window_scores import window_scores

#: The tasks estimated, and how.
ESTIMATED_TASKS = ("binary_classification", "regression")

log = logging.getLogger(__name__)

JOB_NAME = "estimated_performance"


class EstimatedPerformanceRunner:
    """One tick of the CBPE job for a fixed set of models."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: EstimatedPerformanceConfig,
        resolve_path: Callable[[str], Path],
    ) -> None:
        self._engine = engine
        self._config = config
        self._resolve_path = resolve_path
        self._references: dict[str, CbpeReference | DleReference] = {}
        self._logged: dict[str, str] = {}
        self.models = tuple(
            s for s in models if s.task in ESTIMATED_TASKS and s.reference is not None
        )

    def reference(self, spec: ModelSpec) -> CbpeReference | DleReference | ReferenceDataError:
        """The model's fitted CBPE reference, or why it cannot be had (logged once)."""
        if spec.name in self._references:
            return self._references[spec.name]
        if spec.reference is None:
            raise ValueError(f"model {spec.name!r} has no reference dataset")
        c = self._config
        path = self._resolve_path(spec.reference.path)
        found: CbpeReference | DleReference
        try:
            if spec.task == "regression":
                found = load_dle_reference(spec, path, c)
            else:
                found = load_cbpe_reference(
                    path, c.score_column, c.label_column, c.positive_label,
                    c.decision_threshold, c.chunk,
                )  # fmt: skip
        except ReferenceDataError as error:
            if self._logged.get(spec.name) != str(error):
                log.error("estimated performance of model %s not computed: %s", spec.name, error)
                self._logged[spec.name] = str(error)
            return error
        self._references[spec.name] = found
        return found

    def _model_signals(self, spec: ModelSpec, start: datetime, end: datetime) -> list[Signal]:
        reference = self.reference(spec)
        metrics = (
            self._config.regression_metrics if spec.task == "regression" else self._config.metrics
        )
        if isinstance(reference, ReferenceDataError):
            return [
                Signal(DETECTOR, spec.name, name, name, start, end, None,
                       bound.min if bound.min is not None else bound.max, "not_computable", 0,
                       {"reason": f"CBPE reference unusable: {reference}"})
                for name, bound in metrics.items()
            ]  # fmt: skip
        if isinstance(reference, DleReference):
            inputs = window_inputs(self._engine, spec.name, start, end)
            return window_dle(spec, reference, inputs, start, end, self._config)
        window = window_scores(self._engine, spec.name, start, end)
        return window_estimates(spec, reference, window, start, end, self._config)

    def __call__(self, now: datetime) -> list[Signal]:
        """Estimate ``[end - window, end)`` (``end``: ``now`` aligned down to the interval)
        for every model and store the signals; returns them."""
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [s for spec in self.models for s in self._model_signals(spec, start, end)]
        write_signals(self._engine, found, now)
        return found


def estimated_performance_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: EstimatedPerformanceConfig,
    resolve_path: Callable[[str], Path],
) -> ScheduledJob:
    """The CBPE job: every ``config.interval``, estimated metrics of each binary model."""
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=EstimatedPerformanceRunner(engine, models, config, resolve_path),
    )
