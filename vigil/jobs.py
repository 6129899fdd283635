"""The scheduler's job list, composed from the jobs each feature exposes.

``vigil serve`` hands these to APScheduler; ``vigil demo`` and the end-to-end tests drive the
same jobs with a simulated clock. Order matters only within one tick of a simulated clock:
detectors and SLOs write signals, then rules turn them into alerts, then the dispatcher sends.
"""

from __future__ import annotations

import os
import socket

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from alerting.jobs import actions_job, alerting_jobs, incidents_job
from alerting.receivers import BuildContext
from detectors.estimated_performance_job import estimated_performance_job
from detectors.fairness_job import fairness_job
from detectors.jobs import drift_job
from detectors.performance_job import performance_job
from detectors.quality_job import quality_job
from detectors.reference_cache import ReferenceCache
from slo.jobs import slo_job
from slo.metrics import SLOMetrics
from store.scheduling import ScheduledJob
from vigil.config import VigilConfig


def build_jobs(
    config: VigilConfig, engine: Engine, registry: CollectorRegistry
) -> list[ScheduledJob]:
    """Every periodic job the configuration asks for; job metrics go on ``registry``."""
    jobs: list[ScheduledJob] = []
    references = ReferenceCache(config.resolve_path)  # each reference file is read once
    detectors = config.detectors
    if detectors.drift.enabled:
        jobs.append(
            drift_job(engine, config.models, detectors.drift, config.resolve_path, references)
        )
    if detectors.quality.enabled:
        jobs.append(
            quality_job(engine, config.models, detectors.quality, config.resolve_path, references)
        )
    if detectors.performance.enabled:
        jobs.append(performance_job(engine, config.models, detectors.performance))
    if detectors.estimated_performance.enabled:
        jobs.append(
            estimated_performance_job(
                engine, config.models, detectors.estimated_performance, config.resolve_path
            )
        )
    if detectors.fairness.enabled:
        jobs.append(fairness_job(engine, config.models, detectors.fairness))
    if config.slos:
        jobs.append(
            slo_job(
                engine,
                config.slos,
                interval=config.alerting.evaluation_interval,
                metrics=SLOMetrics(registry),
            )
        )
    jobs += alerting_jobs(
        engine,
        config.alerting,
        [(m.name, m.team) for m in config.models],
        config.runbook_url,
        build_context=BuildContext(resolve_path=config.resolve_path),
        owner=f"{socket.gethostname()}:{os.getpid()}",
        failing_runbook_url=config.runbook_url("notification-failing"),
    )
    # Incidents follow the alerts the rules just fired; actions follow the incidents.
    jobs.append(incidents_job(engine, config.alerting.incidents))
    jobs.append(actions_job(engine, config.alerting.actions, config.runbook_url))
    return jobs
