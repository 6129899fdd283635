"""The scheduler's job list, composed from the jobs each feature exposes.

``vigil serve`` hands these to APScheduler; ``vigil demo`` and the end-to-end tests drive the
same jobs with a simulated clock. Order matters only within one tick of a simulated clock:
detectors and SLOs write signals, then rules turn them into alerts, then the dispatcher sends.
"""

from __future__ import annotations

import os
import random
import socket

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from alerting.action_webhook import ActionSender
from alerting.jobs import actions_job, alerting_jobs, escalation_job, incidents_job
from alerting.receivers import BuildContext
from detectors.estimated_performance_job import estimated_performance_job
from detectors.fairness_job import fairness_job
from detectors.jobs import drift_job
from detectors.multivariate.embedding_job import embedding_drift_job
from detectors.multivariate.job import multivariate_job
from detectors.performance_job import performance_job
from detectors.performance_labels_job import labels_job
from detectors.prediction_drift_job import prediction_columns, prediction_drift_job
from detectors.profile_drift.job import reference_bins_job
from detectors.quality_job import quality_job
from detectors.quality_pipeline_job import pipeline_job
from detectors.reference_cache import ReferenceCache
from slo.jobs import slo_job
from slo.metrics import SLOMetrics
from store.scheduling import ScheduledJob
from vigil.config import VigilConfig


def build_jobs(
    config: VigilConfig,
    engine: Engine,
    registry: CollectorRegistry,
    *,
    build_context: BuildContext | None = None,
    action_sender: ActionSender | None = None,
    rng: random.Random | None = None,
    owner: str | None = None,
) -> list[ScheduledJob]:
    """Every periodic job the configuration asks for; job metrics go on ``registry``.

    The keyword arguments are for ``vigil replay`` and tests: ``build_context`` (receivers'
    transports, clock and wrapper), ``action_sender`` (action webhooks), a seeded ``rng``
    for retry jitter, and the outbox ``owner`` name; each defaults to what ``serve`` uses.
    """
    jobs: list[ScheduledJob] = []
    detectors = config.detectors
    # Each reference is read (or queried) once; with the score and prediction columns.
    references = ReferenceCache(config.resolve_path, prediction_columns(detectors.prediction_drift))
    if detectors.drift.enabled:
        jobs.append(
            drift_job(engine, config.models, detectors.drift, config.resolve_path, references)
        )
    if detectors.drift.enabled:  # the edges the collectors count each minute's profile on
        jobs.append(reference_bins_job(engine, config.models, references, detectors.drift.interval))
    if detectors.quality.enabled:
        jobs.append(
            quality_job(engine, config.models, detectors.quality, config.resolve_path, references)
        )
    if detectors.prediction_drift.enabled:
        jobs.append(
            prediction_drift_job(
                engine, config.models, detectors.prediction_drift, config.resolve_path, references
            )
        )
    if detectors.multivariate.enabled or detectors.multivariate.models:
        jobs.append(
            multivariate_job(
                engine, config.models, detectors.multivariate, config.resolve_path, references
            )
        )
    if detectors.embedding_drift.enabled:
        jobs.append(
            embedding_drift_job(
                engine, config.models, detectors.embedding_drift, config.resolve_path, references
            )
        )
    if detectors.pipelines.enabled and detectors.pipelines.pipelines:
        jobs.append(pipeline_job(engine, detectors.pipelines))
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
    if detectors.labels.enabled:
        jobs.append(labels_job(engine, config.models, detectors.labels, registry))
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
        build_context=build_context or BuildContext(resolve_path=config.resolve_path),
        rng=rng,
        owner=owner or f"{socket.gethostname()}:{os.getpid()}",
        failing_runbook_url=config.runbook_url("notification-failing"),
    )
    # Incidents follow the alerts the rules just fired; actions follow the incidents.
    jobs.append(incidents_job(engine, config.alerting.incidents))
    if config.alerting.escalation_policies:
        jobs.append(escalation_job(engine, config.alerting))
    jobs.append(
        actions_job(engine, config.alerting.actions, config.runbook_url, sender=action_sender)
    )
    return jobs
