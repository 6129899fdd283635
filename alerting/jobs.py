"""The scheduled jobs alerting hands to ``vigil serve`` (and ``vigil demo`` drives by hand).

* ``alerting.rules`` every ``evaluation_interval``: evaluate the rules, then route, group and
  enqueue the transitions (:mod:`alerting.rules`, :mod:`alerting.outbox`).
* ``alerting.dispatch`` every ``dispatch_interval``: send due notifications, schedule retries
  (:mod:`alerting.dispatcher`).

The routing tree and the receivers are built once, here, from the validated config.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.config import AlertingConfig
from alerting.dispatcher import DispatchReport, RetryPolicy, dispatch_due
from alerting.outbox import enqueue_transitions
from alerting.receivers import BuildContext, Receivers, build_receivers
from alerting.routing import compile_route
from alerting.rules import evaluate_rules
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
) -> list[ScheduledJob]:
    """The rule-evaluation and dispatch jobs for ``config``.

    ``models`` are ``(name, team)`` pairs; ``runbook_url`` maps a rule's runbook name to its URL.
    ``receivers`` defaults to those built from ``config.receivers`` with ``build_context``
    (pass one whose ``resolve_path`` makes log paths relative to ``vigil.yaml``). ``rng``
    jitters retry delays; pass a seeded one for reproducible replays.
    """
    built = receivers if receivers is not None else build_receivers(config.receivers, build_context)
    random_source = rng or random.Random()

    def dispatch(now: datetime) -> DispatchReport:
        return dispatch_due(engine, built, now, rng=random_source, policy=retry_policy)

    jobs = [ScheduledJob("alerting.dispatch", dispatch_interval, dispatch)]
    if not config.rules:
        return jobs
    tree = compile_route(config.route)
    rules = tuple(config.rules)
    model_list = tuple(models)

    def evaluate(now: datetime) -> EvaluationReport:
        transitions = evaluate_rules(
            engine, rules, model_list, runbook_url, config.dashboard_url, now
        )
        ids = enqueue_transitions(engine, tree, transitions, built, now)
        fired = sum(1 for t in transitions if t.status == "firing")
        return EvaluationReport(fired, len(transitions) - fired, len(ids))

    return [ScheduledJob("alerting.rules", config.evaluation_interval, evaluate), *jobs]
