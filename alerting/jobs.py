"""The scheduled jobs alerting hands to ``vigil serve`` (and ``vigil demo`` drives by hand).

* ``alerting.rules`` every ``evaluation_interval``: evaluate the rules (:mod:`alerting.rules`),
  then run a router tick, so a new alert is grouped in the same tick.
* ``alerting.dispatch`` every ``dispatch_interval``: raise or resolve
  ``VigilNotificationFailing`` (:mod:`alerting.selfmon`), run a router tick (group timers are
  due at their own times, not only when rules run; :mod:`alerting.router_tick`), then send
  due notifications and schedule retries (:mod:`alerting.dispatcher`).
* ``alerting.incidents`` every ``incidents.interval`` (:func:`incidents_job`): reconcile
  incidents with the stored alerts, notifications and silences (:mod:`alerting.incident_tick`).
* ``alerting.actions`` every ``actions.interval`` (:func:`actions_job`): propose, execute and
  verify guarded actions (:mod:`alerting.action_tick`).
* ``alerting.escalation`` every ``incidents.interval`` (:func:`escalation_job`): page the
  next step of the escalation policy of incidents nobody acknowledged
  (:mod:`alerting.escalation_tick`).

The routing tree and the receivers are built once, here, from the validated config. Every
step reads state from the store and takes ``now``, so a job that crashed is simply run again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.action_tick import ActionTickReport, actions_tick
from alerting.action_webhook import ActionSender
from alerting.config import AlertingConfig
from alerting.config.actions import ActionsConfig
from alerting.config.incidents import IncidentsConfig
from alerting.dispatcher import DispatchReport, RetryPolicy, dispatch_due
from alerting.escalation_tick import EscalationTickReport, escalation_tick
from alerting.incident_tick import IncidentTickReport, incidents_tick
from alerting.receivers import BuildContext, Receivers, build_receivers
from alerting.router import build_router
from alerting.router_tick import TickReport, route_tick
from alerting.rules import evaluate_rules
from alerting.selfmon import evaluate_notification_health
from store.scheduling import ScheduledJob


@dataclass(frozen=True)
class EvaluationReport:
    """What one rule-evaluation tick did."""

    fired: int
    resolved: int
    enqueued: int


def alerting_jobs(
    engine: Engine,
    config: AlertingConfig,
    models: Sequence[tuple[str, str | None]],
    runbook_url: Callable[[str], str],
    *,
    receivers: Receivers | None = None,
    build_context: BuildContext | None = None,
    rng: random.Random | None = None,
    retry_policy: RetryPolicy | None = None,
    dispatch_interval: timedelta = timedelta(seconds=5),
    owner: str = "vigil",
    failing_runbook_url: str | None = None,
) -> list[ScheduledJob]:
    """The rule-evaluation and dispatch jobs for ``config``.

    ``models`` are ``(name, team)`` pairs; ``runbook_url`` maps a rule's runbook name to its URL.
    ``receivers`` defaults to those built from ``config.receivers`` with ``build_context``
    (pass one whose ``resolve_path`` makes log paths relative to ``vigil.yaml``). ``rng``
    jitters retry delays; pass a seeded one for reproducible replays. ``owner`` names this
    replica in outbox claims; ``failing_runbook_url`` is linked from the
    ``VigilNotificationFailing`` alert.
    """
    built = receivers if receivers is not None else build_receivers(config.receivers, build_context)
    random_source = rng or random.Random()
    router = build_router(config) if config.route.receiver is not None else None

    def route(now: datetime) -> TickReport:
        if router is None:
            return TickReport()
        evaluate_notification_health(engine, built, now, failing_runbook_url)
        return route_tick(engine, router, built, now)

    def dispatch(now: datetime) -> DispatchReport:
        route(now)
        return dispatch_due(engine, built, now, rng=random_source, policy=retry_policy, owner=owner)

    jobs = [ScheduledJob("alerting.dispatch", dispatch_interval, dispatch)]
    if not config.rules:
        return jobs
    rules = tuple(config.rules)
    model_list = tuple(models)

    def evaluate(now: datetime) -> EvaluationReport:
        transitions = evaluate_rules(
            engine,
            rules,
            model_list,
            runbook_url,
            config.dashboard_url,
            now,
            api_base_url=config.api_base_url,
        )
        tick = route(now)
        fired = sum(1 for t in transitions if t.status == "firing")
        return EvaluationReport(fired, len(transitions) - fired, len(tick.enqueued))

    return [ScheduledJob("alerting.rules", config.evaluation_interval, evaluate), *jobs]


def incidents_job(engine: Engine, config: IncidentsConfig | None = None) -> ScheduledJob:
    """The ``alerting.incidents`` job: reconcile incidents with the store every tick."""
    settings = config or IncidentsConfig()

    def reconcile(now: datetime) -> IncidentTickReport:
        return incidents_tick(engine, now, settings.notification_lookback)

    return ScheduledJob("alerting.incidents", settings.interval, reconcile)


def actions_job(
    engine: Engine,
    config: ActionsConfig,
    runbook_url: Callable[[str], str],
    *,
    sender: ActionSender | None = None,
) -> ScheduledJob:
    """The ``alerting.actions`` job; ``sender`` defaults to one over the real network."""
    built = sender or ActionSender()

    def run(now: datetime) -> ActionTickReport:
        return actions_tick(engine, config, built, runbook_url, now)

    return ScheduledJob("alerting.actions", config.interval, run)


def escalation_job(engine: Engine, config: AlertingConfig) -> ScheduledJob:
    """The ``alerting.escalation`` job: page the next level of unacknowledged incidents.

    It runs as often as the incidents tick (``incidents.interval``), so a step is paged at
    most that long after it is due (:mod:`alerting.escalation_tick`).
    """

    def run(now: datetime) -> EscalationTickReport:
        return escalation_tick(engine, config, now)

    return ScheduledJob("alerting.escalation", config.incidents.interval, run)
