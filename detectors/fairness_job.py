"""The scheduled fairness job: recent windows of each binary model with protected attributes.

Like the performance job, each run re-evaluates the last ``reevaluate`` windows (labels
arrive late) and replaces their signals when they changed
(:func:`store.signal_upsert.upsert_signals`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from detectors.fairness_window import window_fairness
from detectors.performance_config import FairnessConfig
from store.durations import align
from store.labelled import labelled_window
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signal_upsert import upsert_signals
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "fairness"


class FairnessRunner:
    """One tick of the fairness job for a fixed set of models."""

    def __init__(self, engine: Engine, models: Sequence[ModelSpec], config: FairnessConfig) -> None:
        self._engine = engine
        self._config = config
        #: The monitored models: binary classifiers that name protected attributes.
        self.models = tuple(s for s in models if s.protected and s.task == "binary_classification")
        for spec in models:
            if spec.protected and spec.task != "binary_classification":
                log.info("model %s (%s): fairness covers binary models only", spec.name, spec.task)

    def __call__(self, now: datetime) -> list[Signal]:
        """Evaluate the recent windows of every model and store what changed; returns every
        signal computed."""
        end = align(now, self._config.interval)
        found: list[Signal] = []
        for i in range(self._config.reevaluate):
            window_end = end - i * self._config.interval
            start = window_end - self._config.window
            for spec in self.models:
                window = labelled_window(self._engine, spec.name, start, window_end, True)
                found.extend(window_fairness(spec, window, start, window_end, self._config))
        upsert_signals(self._engine, found, now)
        return found


def fairness_job(
    engine: Engine, models: tuple[ModelSpec, ...], config: FairnessConfig
) -> ScheduledJob:
    """The fairness job: every ``config.interval``, group comparisons of recent windows."""
    return ScheduledJob(
        name=JOB_NAME, interval=config.interval, run=FairnessRunner(engine, models, config)
    )
