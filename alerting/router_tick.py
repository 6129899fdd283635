"""One router tick: reconcile the groups with the stored alerts, flush those due, commit.

This replaces "enqueue the transitions of a tick": the tick reads *state* (firing alerts,
stored groups, the notification log), not a list of changes, so nothing depends on the
process that evaluated the rules surviving until it enqueued. A crash anywhere loses no
page, because the next tick recomputes the same plan from the same state; and it repeats
none, because each group's outbox rows and the log entries that record them are committed
together, against the group's version (:func:`store.alert_groups.commit_group`).

The tick is driven by ``now``: timers are times stored on the groups, compared with it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from alerting.aggregation import GroupPlan, plan_groups
from alerting.dedup import Outcome
from alerting.mute_stages import ActiveSilence, FlushContext
from alerting.pipeline import Pipeline, Target, build_pipeline
from alerting.receivers import Receivers
from alerting.router import Router
from alerting.routing import CompiledRoute
from store.alert_groups import (
    GroupCommit,
    GroupRecord,
    LogEntry,
    commit_group,
    load_groups,
    load_log,
)
from store.alerts import AlertRecord, latest_by_fingerprint, open_alerts
from store.outbox_claims import unfinished_targets
from store.silences import list_silences

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did: rows enqueued, groups flushed, and each integration's outcome."""

    enqueued: list[int] = field(default_factory=list)
    flushed: int = 0
    conflicts: int = 0
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)


def _record(
    plan: GroupPlan, route: CompiledRoute, members: tuple[str, ...], now: datetime, flushed: bool
) -> GroupRecord:
    stored = plan.stored
    next_flush = now + route.opts.group_interval if flushed else plan.next_flush_at
    return GroupRecord(
        group_key=plan.key,
        route_id=route.id,
        receiver=route.receiver,
        labels=plan.labels,
        members=members,
        created_at=stored.created_at if stored else now,
        next_flush_at=next_flush,
        last_flush_at=now if flushed else (stored.last_flush_at if stored else None),
        version=stored.version if stored else 0,
    )


@dataclass(frozen=True)
class _FlushInputs:
    """What flushing needs beyond the plan, read once per tick."""

    alerts: dict[str, AlertRecord]
    pipeline: Pipeline
    entries: dict[Target, LogEntry]
    unfinished: set[Target]


def _flush_inputs(
    engine: Engine,
    router: Router,
    receivers: Receivers,
    firing: list[AlertRecord],
    due: list[GroupPlan],
    now: datetime,
) -> _FlushInputs:
    alerts = {a.fingerprint: a for a in firing}
    held = {fp for plan in due for fp in plan.members if fp not in alerts}
    alerts.update(latest_by_fingerprint(engine, held))
    silences = [ActiveSilence.from_record(s) for s in list_silences(engine, now, "active")]
    pipeline = build_pipeline(router.inhibit_rules, firing, router.intervals, silences, receivers)
    return _FlushInputs(alerts, pipeline, load_log(engine), unfinished_targets(engine))


def _flush(
    plan: GroupPlan, route: CompiledRoute, inputs: _FlushInputs, now: datetime
) -> tuple[GroupCommit, list[Outcome]]:
    members = [inputs.alerts[fp] for fp in plan.members if fp in inputs.alerts]
    ctx = FlushContext(now, plan.key, plan.labels, route)
    outcomes = inputs.pipeline.flush(ctx, members, inputs.entries, inputs.unfinished)
    still_firing = tuple(a.fingerprint for a in members if a.status == "firing")
    commit = GroupCommit(
        group=_record(plan, route, still_firing, now, flushed=True),
        expected_version=plan.stored.version if plan.stored else None,
        members=still_firing or None,
        log=[o.log for o in outcomes if o.log is not None],
        notifications=[o.notification for o in outcomes if o.notification is not None],
    )
    return commit, outcomes


def _hold(plan: GroupPlan, now: datetime) -> GroupCommit | None:
    """The commit of a group that does not flush now: new members, a timer, or its end."""
    if plan.route is None or not plan.members:
        return GroupCommit(plan.stored, plan.stored.version, None) if plan.stored else None
    record = _record(plan, plan.route, plan.members, now, flushed=False)
    return GroupCommit(record, plan.stored.version if plan.stored else None, plan.members)


def route_tick(engine: Engine, router: Router, receivers: Receivers, now: datetime) -> TickReport:
    """Reconcile, flush and commit every group that needs it at ``now``."""
    firing = open_alerts(engine)
    plans = plan_groups(router.routes_for, router.routes_by_id(), firing, load_groups(engine), now)
    report = TickReport()
    due = [plan for plan in plans if plan.due(now)]
    inputs = _flush_inputs(engine, router, receivers, firing, due, now) if due else None
    for plan in plans:
        outcomes: list[Outcome] = []
        if plan.route is not None and inputs is not None and plan.due(now):
            commit, outcomes = _flush(plan, plan.route, inputs, now)
        else:
            held = _hold(plan, now)
            if held is None:
                continue
            commit = held
        ids = commit_group(engine, commit, now)
        if ids is None:
            report.conflicts += 1
            log.info("group %s changed under this tick; the next tick retries it", plan.key)
            continue
        report.enqueued += ids
        if plan.due(now):
            report.flushed += 1
            report.outcomes[plan.key] = outcomes
    return report
