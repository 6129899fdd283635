"""The scheduled data quality job: each model's window, its traffic counts, its signals.

The thin shell around :func:`detectors.quality.window_quality`. Per run and model it reads the
window's feature dicts, the prediction counts of the window and of its baseline windows
(``baseline_windows`` windows ending ``baseline_spacing`` apart before it, in one query),
the time of the model's last prediction, and a digest per prediction to find requests
resent under a new id (:mod:`detectors.quality_duplicates`), then stores the signals. A
model without a reference dataset still gets its missing-rate, volume and freshness checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from detectors.config import QualityConfig
from detectors.errors import ReferenceDataError
from detectors.quality import Activity, window_quality
from detectors.quality_duplicates import request_keys
from detectors.reference import Reference
from detectors.reference_cache import ReferenceCache
from store.durations import align
from store.prediction_activity import counts_in_windows, last_prediction_at
from store.predictions import window_features
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "quality"


def baseline_windows(end: datetime, config: QualityConfig) -> list[tuple[datetime, datetime]]:
    """The baseline windows before the window ending at ``end``, most recent first."""
    spacing: timedelta = config.baseline_spacing or config.window
    return [
        (end - i * spacing - config.window, end - i * spacing)
        for i in range(1, config.baseline_windows + 1)
    ]


class QualityRunner:
    """One tick of the quality job for a fixed set of models."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: QualityConfig,
        references: ReferenceCache,
    ) -> None:
        self._engine = engine
        self._models = tuple(models)
        self._config = config
        self._references = references

    def _reference(self, spec: ModelSpec) -> Reference | None:
        if spec.reference is None:
            return None
        found = self._references.get(spec, "data quality")
        return None if isinstance(found, ReferenceDataError) else found

    def _model_signals(
        self, spec: ModelSpec, start: datetime, end: datetime, now: datetime
    ) -> list[Signal]:
        rows = window_features(self._engine, spec.name, start, end)
        counts = counts_in_windows(
            self._engine, spec.name, [(start, end), *baseline_windows(end, self._config)]
        )
        activity = Activity(
            count=counts[0],
            baseline=counts[1:],
            last_event_at=last_prediction_at(self._engine, spec.name, now),
        )
        keys = request_keys(self._engine, spec.name, start, end)
        return window_quality(
            spec, self._reference(spec), rows, activity, start, end, now, self._config, keys
        )

    def __call__(self, now: datetime) -> list[Signal]:
        """Check ``[end - window, end)`` for every model (``end``: ``now`` aligned down to
        the interval) and store the signals; returns them."""
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [s for spec in self._models for s in self._model_signals(spec, start, end, now)]
        write_signals(self._engine, found, now)
        return found


def quality_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: QualityConfig,
    resolve_path: Callable[[str], Path],
    references: ReferenceCache | None = None,
) -> ScheduledJob:
    """The quality job: every ``config.interval``, the quality checks of every model.

    Pass the drift job's ``references`` cache to load each reference dataset once.
    """
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=QualityRunner(engine, models, config, references or ReferenceCache(resolve_path)),
    )
