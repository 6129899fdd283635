"""The scheduled pipeline check: read each configured pipeline's runs, store its signals.

The thin shell around :func:`detectors.quality_pipelines.pipeline_signals`. Each run reads
the pipelines' latest runs started before ``now`` and their last success, and stores the
signals for the window ``[end - interval, end)`` (``end``: ``now`` aligned to the interval),
so each interval is judged once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from detectors.quality_pipeline_config import PipelinesConfig
from detectors.quality_pipelines import PipelineFacts, pipeline_signals
from store.durations import align
from store.pipeline_runs import last_success, runs_of
from store.records import Signal
from store.scheduling import ScheduledJob
from store.signals import write_signals

JOB_NAME = "pipelines"


class PipelineRunner:
    """One tick of the pipeline check."""

    def __init__(self, engine: Engine, config: PipelinesConfig) -> None:
        self._engine = engine
        self._config = config

    def __call__(self, now: datetime) -> list[Signal]:
        """Check every configured pipeline at ``now``, store the signals, return them."""
        names = [p.name for p in self._config.pipelines]
        runs = runs_of(self._engine, names, started_before=now)
        successes = last_success(self._engine, names, finished_before=now)
        facts = {name: PipelineFacts(runs[name], successes[name]) for name in names}
        end = align(now, self._config.interval)
        found = pipeline_signals(self._config.pipelines, facts, end - self._config.interval,
                                 end, now)  # fmt: skip
        write_signals(self._engine, found, now)
        return found


def pipeline_job(engine: Engine, config: PipelinesConfig) -> ScheduledJob:
    """The pipeline check: every ``config.interval``, each configured pipeline's signals."""
    return ScheduledJob(name=JOB_NAME, interval=config.interval, run=PipelineRunner(engine, config))
