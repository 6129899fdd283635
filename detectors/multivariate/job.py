"""The scheduled multivariate drift job: each model's window against its reference rows.

The thin shell around :func:`detectors.multivariate.detector.multivariate_drift`, like the
drift job (:mod:`detectors.jobs`): per run, ``end`` is ``now`` aligned down to the interval,
each enabled model with a reference gets one signal for ``[end - window, end)``, stored with
:func:`store.signals.write_signals` (the first signal of a window is kept). A reference that
cannot be loaded gives a ``not_computable`` signal that says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.errors import ReferenceDataError
from detectors.multivariate.config import MultivariateConfig
from detectors.multivariate.detector import DETECTOR, SUBJECT, multivariate_drift
from detectors.reference_cache import ReferenceCache
from store.durations import align
from store.predictions import window_features
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "multivariate_drift"


class MultivariateRunner:
    """One tick of the multivariate drift job."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: MultivariateConfig,
        references: ReferenceCache,
    ) -> None:
        self._engine = engine
        self._config = config
        self._references = references
        #: The models this job watches: enabled ones with a reference dataset.
        self.models = tuple(
            s for s in models if s.reference is not None and config.for_model(s.name).enabled
        )

    def _model_signal(self, spec: ModelSpec, start: datetime, end: datetime) -> Signal:
        reference = self._references.get(spec, "multivariate drift")
        if isinstance(reference, ReferenceDataError):
            settings = self._config.for_model(spec.name)
            return Signal(
                detector=DETECTOR, model=spec.name, subject=SUBJECT, metric=settings.method,
                window_start=start, window_end=end, value=None, threshold=settings.threshold,
                status="not_computable", sample_size=0,
                details={"reason": f"reference dataset unusable: {reference}"},
            )  # fmt: skip
        rows = window_features(self._engine, spec.name, start, end)
        return multivariate_drift(spec, reference, rows, start, end, self._config)

    def __call__(self, now: datetime) -> list[Signal]:
        """Compute and store every watched model's signal; returns them."""
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [self._model_signal(spec, start, end) for spec in self.models]
        write_signals(self._engine, found, now)
        return found


def multivariate_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: MultivariateConfig,
    resolve_path: Callable[[str], Path],
    references: ReferenceCache | None = None,
) -> ScheduledJob:
    """The multivariate drift job (pass the drift job's ``references`` to load each once)."""
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=MultivariateRunner(engine, models, config, references or ReferenceCache(resolve_path)),
    )
