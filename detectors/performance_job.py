"""The scheduled realized-performance job: recent windows' labelled predictions, re-scored.

Each run evaluates the last ``reevaluate`` windows ending at ``now`` aligned down to the
interval, one :func:`store.labelled.labelled_window` query each, and stores the signals with
:func:`store.signal_upsert.upsert_signals`: a window whose labels arrived since the last run
gets its signals replaced; a settled window writes nothing. Each window's bootstrap draws
from a generator seeded by ``config.seed`` and the window end, so a re-run of an unchanged
window computes the same intervals.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import Engine

from detectors.performance import SUPPORTED_TASKS, window_performance
from detectors.performance_config import PerformanceConfig
from store.durations import align
from store.labelled import labelled_window
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signal_upsert import upsert_signals
from store.specs import ModelSpec

log = logging.getLogger(__name__)

JOB_NAME = "performance"


def window_rng(seed: int, end: datetime) -> np.random.Generator:
    """The bootstrap generator of the window ending at ``end``."""
    return np.random.default_rng([seed, int(end.timestamp())])


class PerformanceRunner:
    """One tick of the performance job for a fixed set of models."""

    def __init__(
        self, engine: Engine, models: Sequence[ModelSpec], config: PerformanceConfig
    ) -> None:
        self._engine = engine
        self._config = config
        #: The monitored models: those whose task has realized metrics.
        self.models = tuple(s for s in models if s.task in SUPPORTED_TASKS)
        for spec in models:
            if spec.task not in SUPPORTED_TASKS:
                log.info("model %s (%s): no realized performance metrics", spec.name, spec.task)

    def windows(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """The windows evaluated at ``now``, the latest first."""
        end = align(now, self._config.interval)
        ends = [end - i * self._config.interval for i in range(self._config.reevaluate)]
        return [(e - self._config.window, e) for e in ends]

    def __call__(self, now: datetime) -> list[Signal]:
        """Evaluate the recent windows of every model and store what changed; returns every
        signal computed."""
        found: list[Signal] = []
        for start, end in self.windows(now):
            for spec in self.models:
                window = labelled_window(self._engine, spec.name, start, end)
                rng = window_rng(self._config.seed, end)
                found.extend(window_performance(spec, window, start, end, self._config, rng))
        upsert_signals(self._engine, found, now)
        return found


def performance_job(
    engine: Engine, models: tuple[ModelSpec, ...], config: PerformanceConfig
) -> ScheduledJob:
    """The performance job: every ``config.interval``, realized metrics of recent windows."""
    return ScheduledJob(
        name=JOB_NAME, interval=config.interval, run=PerformanceRunner(engine, models, config)
    )
