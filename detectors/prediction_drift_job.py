"""The scheduled prediction drift job: each model's scores and predictions of the window.

The thin shell around :func:`detectors.prediction_drift.prediction_drift`, run like the
drift job (:mod:`detectors.jobs`): ``end`` is ``now`` aligned to the interval, persistence
reads the subjects' verdicts of the last ``persistence.m - 1`` intervals, and a reference
that cannot be loaded gives ``not_computable`` signals that say why. The reference cache must
read the score and prediction columns: build it with ``extra_columns=(score_column,
prediction_column)`` (:func:`prediction_columns`). Windows are read through
:class:`detectors.prediction_drift_window.WindowReader`: only chunks that changed since the
previous tick are fetched, with the same result as reading the whole window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.config import PREDICTION_SUBJECT, SCORE_SUBJECT, PredictionDriftConfig
from detectors.errors import ReferenceDataError
from detectors.jobs import earlier_verdicts
from detectors.prediction_drift import DETECTOR, prediction_drift
from detectors.prediction_drift_window import WindowReader
from detectors.reference_cache import ReferenceCache
from store.durations import align
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import signal_history, write_signals
from store.specs import ModelSpec

JOB_NAME = "prediction_drift"


def prediction_columns(config: PredictionDriftConfig) -> tuple[str, str]:
    """The reference columns prediction drift reads (for :class:`ReferenceCache`)."""
    return (config.score_column, config.prediction_column)


class PredictionDriftRunner:
    """One tick of the prediction drift job."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: PredictionDriftConfig,
        references: ReferenceCache,
    ) -> None:
        self._engine = engine
        self._config = config
        self._references = references
        self.models = tuple(s for s in models if s.reference is not None)
        # Consecutive windows overlap: read only the chunks that changed since last tick.
        self._windows = WindowReader(engine, config.interval)

    def _unloadable(
        self, spec: ModelSpec, error: ReferenceDataError, start: datetime, end: datetime
    ) -> list[Signal]:
        return [
            Signal(
                detector=DETECTOR,
                model=spec.name,
                subject=subject,
                metric=self._config.override(subject).method or "auto",
                window_start=start,
                window_end=end,
                value=None,
                threshold=self._config.override(subject).threshold,
                status="not_computable",
                sample_size=0,
                details={"reason": f"reference dataset unusable: {error}"},
            )
            for subject in (SCORE_SUBJECT, PREDICTION_SUBJECT)
        ]

    def _model_signals(self, spec: ModelSpec, start: datetime, end: datetime) -> list[Signal]:
        reference = self._references.get(spec, "prediction drift")
        if isinstance(reference, ReferenceDataError):
            return self._unloadable(spec, reference, start, end)
        window = self._windows.read(spec.name, start, end)
        lookback = self._config.interval * (self._config.persistence.m - 1)
        history = signal_history(self._engine, spec.name, DETECTOR, since=end - lookback)
        earlier = earlier_verdicts(history, before=end)
        return prediction_drift(spec, reference, window, start, end, self._config, earlier)

    def __call__(self, now: datetime) -> list[Signal]:
        """Compute and store the signals of ``[end - window, end)``; returns them."""
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [s for spec in self.models for s in self._model_signals(spec, start, end)]
        write_signals(self._engine, found, now)
        return found


def prediction_drift_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: PredictionDriftConfig,
    resolve_path: Callable[[str], Path],
    references: ReferenceCache | None = None,
) -> ScheduledJob:
    """The prediction drift job; ``references`` must read :func:`prediction_columns`."""
    cache = references or ReferenceCache(resolve_path, prediction_columns(config))
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=PredictionDriftRunner(engine, models, config, cache),
    )
