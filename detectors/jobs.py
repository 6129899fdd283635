"""The scheduled drift job: read each model's window, compute drift, store the signals.

The thin shell around :func:`detectors.drift.feature_drift`. References are loaded on the
first run that needs them and kept for the life of the job (a new ``vigil serve`` or a
config reload builds a new job, and so re-reads them). A reference that cannot be loaded is
retried on the next run; meanwhile its model gets ``not_computable`` signals that say why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.config import DriftConfig
from detectors.drift import DETECTOR, NO_METHOD, feature_drift, threshold_for
from detectors.errors import ReferenceDataError
from detectors.methods import DEFAULT_METHOD_FOR_TYPE
from detectors.reference import Reference, load_reference
from store.durations import align
from store.predictions import window_features
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "drift"


def unloadable_reference(
    spec: ModelSpec, error: ReferenceDataError, start: datetime, end: datetime, config: DriftConfig
) -> list[Signal]:
    """One ``not_computable`` signal per feature, saying why the reference is unusable."""
    return [
        Signal(
            detector=DETECTOR,
            model=spec.name,
            subject=feature.name,
            metric=DEFAULT_METHOD_FOR_TYPE.get(feature.type, NO_METHOD),
            window_start=start,
            window_end=end,
            value=None,
            threshold=threshold_for(feature.type, config),
            status="not_computable",
            sample_size=0,
            details={"reason": f"reference dataset unusable: {error}"},
        )
        for feature in spec.features
    ]


class DriftRunner:
    """One tick of the drift job for a fixed set of models; caches their references."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: DriftConfig,
        resolve_path: Callable[[str], Path],
    ) -> None:
        self._engine = engine
        self._config = config
        self._resolve_path = resolve_path
        self._references: dict[str, Reference] = {}
        self._logged_errors: dict[str, str] = {}
        #: Each monitored model with the configured path of its reference dataset.
        self.models: tuple[tuple[ModelSpec, str], ...] = tuple(
            (spec, spec.reference.path) for spec in models if spec.reference is not None
        )
        for spec in models:
            if spec.reference is None:
                log.info("model %s has no reference dataset: drift is not computed", spec.name)

    def _reference(self, spec: ModelSpec, path: str) -> Reference:
        cached = self._references.get(spec.name)
        if cached is not None:
            return cached
        reference = load_reference(spec, self._resolve_path(path))
        self._references[spec.name] = reference
        self._logged_errors.pop(spec.name, None)
        return reference

    def _model_signals(
        self, spec: ModelSpec, path: str, start: datetime, end: datetime
    ) -> list[Signal]:
        try:
            reference = self._reference(spec, path)
        except ReferenceDataError as error:
            if self._logged_errors.get(spec.name) != str(error):
                log.error("drift of model %s not computed: %s", spec.name, error)
                self._logged_errors[spec.name] = str(error)
            return unloadable_reference(spec, error, start, end, self._config)
        rows = window_features(self._engine, spec.name, start, end)
        return feature_drift(spec, reference, rows, start, end, self._config)

    def __call__(self, now: datetime) -> list[Signal]:
        """Compute drift over ``[end - window, end)`` for every model and store it.

        ``end`` is ``now`` aligned down to the job's interval, so every run within one
        interval evaluates the same window. Returns every signal computed, including any
        already stored by an earlier run for the same window (the store keeps the first).
        """
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [
            signal
            for spec, path in self.models
            for signal in self._model_signals(spec, path, start, end)
        ]
        write_signals(self._engine, found, now)
        return found


def drift_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: DriftConfig,
    resolve_path: Callable[[str], Path],
) -> ScheduledJob:
    """The drift job: every ``config.interval``, drift of each model that has a reference.

    ``resolve_path`` turns a ``reference.path`` from ``vigil.yaml`` into a file path
    (relative paths are relative to the YAML file, which only the caller knows).
    """
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=DriftRunner(engine, models, config, resolve_path),
    )
