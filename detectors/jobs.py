"""The scheduled drift job: read each model's window, compute drift, store the signals.

The thin shell around :func:`detectors.drift.feature_drift`. Each run also reads back the
model's drift signals of the last ``persistence.m - 1`` intervals, so a feature breaches
only when it drifted in enough recent windows (:mod:`detectors.decision`). References are
cached by :class:`detectors.reference_cache.ReferenceCache`; while a model's reference cannot
be loaded, its features get ``not_computable`` signals that say why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from detectors.column_drift import NO_METHOD
from detectors.config import DriftConfig
from detectors.drift import AUTO, DETECTOR, TESTED_TYPES, feature_drift
from detectors.errors import ReferenceDataError
from detectors.profile_drift.job import FittedReferences, profile_drift_signals
from detectors.reference_cache import ReferenceCache
from store.durations import align
from store.predictions import window_features
from store.records import Signal, StoredSignal
from store.scheduling import ScheduledJob
from store.signals import signal_history, write_signals
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
            metric=(config.override(feature.name).method or AUTO)
            if feature.type in TESTED_TYPES
            else NO_METHOD,
            window_start=start,
            window_end=end,
            value=None,
            threshold=config.override(feature.name).threshold,
            status="not_computable",
            sample_size=0,
            details={"reason": f"reference dataset unusable: {error}"},
        )
        for feature in spec.features
    ]


def earlier_verdicts(history: Sequence[StoredSignal], before: datetime) -> dict[str, list[bool]]:
    """Each subject's ``window_drifted`` verdicts of windows ending before ``before``,
    oldest first. Signals stored without the key count as drifted when they breached."""
    verdicts: dict[str, list[bool]] = {}
    for stored in history:
        signal = stored.signal
        if signal.window_end >= before:
            continue
        drifted = signal.details.get("window_drifted", signal.status == "breach")
        verdicts.setdefault(signal.subject, []).append(bool(drifted))
    return verdicts


class DriftRunner:
    """One tick of the drift job for a fixed set of models."""

    def __init__(
        self,
        engine: Engine,
        models: Sequence[ModelSpec],
        config: DriftConfig,
        resolve_path: Callable[[str], Path],
        references: ReferenceCache | None = None,
    ) -> None:
        self._engine = engine
        self._config = config
        self._references = references or ReferenceCache(resolve_path)
        self._fitted = FittedReferences()  # reference profiles, for ``source: profiles``
        #: The monitored models: those with a reference dataset.
        self.models: tuple[ModelSpec, ...] = tuple(s for s in models if s.reference is not None)
        for spec in models:
            if spec.reference is None:
                log.info("model %s has no reference dataset: drift is not computed", spec.name)

    def _model_signals(self, spec: ModelSpec, start: datetime, end: datetime) -> list[Signal]:
        reference = self._references.get(spec, "drift")
        if isinstance(reference, ReferenceDataError):
            return unloadable_reference(spec, reference, start, end, self._config)
        lookback = self._config.interval * (self._config.persistence.m - 1)
        history = signal_history(self._engine, spec.name, DETECTOR, since=end - lookback)
        earlier = earlier_verdicts(history, before=end)
        if self._config.source == "profiles":  # merged per-minute profiles, not raw rows
            fitted = self._fitted.get(spec, reference)
            return profile_drift_signals(
                self._engine, spec, fitted, start, end, self._config, earlier
            )
        rows = window_features(self._engine, spec.name, start, end)
        return feature_drift(spec, reference, rows, start, end, self._config, earlier=earlier)

    def __call__(self, now: datetime) -> list[Signal]:
        """Compute drift over ``[end - window, end)`` for every model and store it.

        ``end`` is ``now`` aligned down to the job's interval, so every run within one
        interval evaluates the same window. Returns every signal computed, including any
        already stored by an earlier run for the same window (the store keeps the first).
        """
        end = align(now, self._config.interval)
        start = end - self._config.window
        found = [s for spec in self.models for s in self._model_signals(spec, start, end)]
        write_signals(self._engine, found, now)
        return found


def drift_job(
    engine: Engine,
    models: tuple[ModelSpec, ...],
    config: DriftConfig,
    resolve_path: Callable[[str], Path],
    references: ReferenceCache | None = None,
) -> ScheduledJob:
    """The drift job: every ``config.interval``, drift of each model that has a reference.

    ``resolve_path`` turns a ``reference.path`` from ``vigil.yaml`` into a file path
    (relative paths are relative to the YAML file, which only the caller knows). Pass a
    ``references`` cache shared with the quality job to load each reference once.
    """
    return ScheduledJob(
        name=JOB_NAME,
        interval=config.interval,
        run=DriftRunner(engine, models, config, resolve_path, references),
    )
