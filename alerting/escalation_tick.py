"""The escalation tick: page the next level of an incident that nobody acknowledged.

Fed from the store only. For each ``triggered`` incident whose alert group's route has an
escalation policy (``escalation: {policy: ...}``, inherited down the tree), the step due at
``now`` (:func:`alerting.escalation.current_step`) is recorded on the incident's timeline
(``escalated``, source ``escalation:<pass>:<step>``) and its receiver's integrations get
outbox rows in the same transaction (:func:`store.incidents.record_escalation`), so the
dispatcher delivers and retries them like any page, and a repeated or concurrent tick pages
each step once. The incidents tick then records each delivery (``notification_sent`` /
``_failed``) on the timeline.

An incident that is acknowledged (or further along) is not escalated: the status is checked
again, under a row lock, in the transaction that records the step. The first step of the
first pass, when its receiver is the one the route already paged, is recorded without a new
page ("paged by the route"), so the first responder is not paged twice. Outbox rows carry the
incident's group key, so the incidents tick puts their deliveries on its timeline, and a
PagerDuty escalation target gets the dedup key that maps its webhooks back to the incident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from alerting.config import AlertingConfig, EscalationPolicy, Route
from alerting.escalation import EscalationStepDue, current_step
from alerting.payload import payload
from alerting.receivers import INTEGRATIONS
from alerting.routing import CompiledRoute, compile_route
from store.alert_groups import GroupRecord, load_groups
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import (
    IncidentEvent,
    IncidentRecord,
    open_incidents,
    record_escalation,
    sources,
)
from store.notifications import NewNotification

SYSTEM_ACTOR = "vigil"


@dataclass
class EscalationTickReport:
    """What one tick did: (incident id, step source) escalated, and outbox rows enqueued."""

    escalated: list[tuple[int, str]] = field(default_factory=list)
    enqueued: list[int] = field(default_factory=list)


def policies_by_route(config: AlertingConfig) -> dict[str, EscalationPolicy]:
    """The escalation policy of each compiled route id (a child inherits its parent's)."""
    found: dict[str, EscalationPolicy] = {}
    if config.route.receiver is None:
        return found

    def walk(route: Route, compiled: CompiledRoute, inherited: str | None) -> None:
        name = route.escalation.policy if route.escalation is not None else inherited
        policy = config.escalation_policy(name) if name is not None else None
        if policy is not None:
            found[compiled.id] = policy
        for child, compiled_child in zip(route.routes, compiled.routes, strict=True):
            walk(child, compiled_child, name)

    walk(config.route, compile_route(config.route), None)
    return found


def integrations_of(config: AlertingConfig, receiver: str) -> list[str]:
    """The outbox names of a receiver's integrations (``slack[0]``, ``pagerduty[0]``...)."""
    try:
        found = config.receiver(receiver)
    except KeyError:
        return []
    return [
        f"{kind.name}[{i}]"
        for kind in INTEGRATIONS
        for i, _ in enumerate(getattr(found, kind.config_attribute))
    ]


def escalating_group(
    incident: IncidentRecord,
    groups: Mapping[str, GroupRecord],
    by_route: Mapping[str, EscalationPolicy],
    fingerprints: set[str],
) -> tuple[GroupRecord, EscalationPolicy] | None:
    """The group whose route escalates the incident, and its policy.

    The incident's own group first; then, since an alert routed to several groups (``continue:
    true``) joins the incident of one of them only, the other groups holding its alerts.
    """
    own = groups.get(incident.group_key)
    others = [
        g
        for key, g in sorted(groups.items())
        if key != incident.group_key and fingerprints & set(g.members)
    ]
    for group in [own, *others] if own is not None else others:
        policy = by_route.get(group.route_id)
        if policy is not None:
            return group, policy
    return None


def _event(
    incident: IncidentRecord,
    policy: EscalationPolicy,
    step: EscalationStepDue,
    paged: bool,
) -> IncidentEvent:
    waited = step.due_at - incident.opened_at
    how = f"paging {step.receiver}" if paged else f"{step.receiver} paged by the route"
    message = (
        f"escalation {policy.name} step {step.index + 1}/{len(policy.steps)}"
        f" (pass {step.loop + 1}/{policy.repeat + 1}): {how};"
        f" unacknowledged for {int(waited.total_seconds() // 60)} min"
    )
    data: dict[str, Any] = {
        "policy": policy.name,
        "loop": step.loop,
        "step": step.index,
        "receiver": step.receiver,
        "due_at": step.due_at.isoformat(),
        "paged": paged,
    }
    return IncidentEvent(step.due_at, "escalated", SYSTEM_ACTOR, message, data, step.source)


def escalation_tick(engine: Engine, config: AlertingConfig, now: datetime) -> EscalationTickReport:
    """Escalate every unacknowledged incident whose policy has a step due at ``now``."""
    report = EscalationTickReport()
    by_route = policies_by_route(config)
    if not by_route:
        return report
    groups = load_groups(engine)
    triggered = [i for i in open_incidents(engine) if i.status == "triggered"]
    recorded = sources(engine, (i.id for i in triggered))
    for incident in triggered:
        ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
        firing = [a for a in alerts_by_id(engine, ids).values() if a.status == "firing"]
        if not firing:
            continue  # the incidents tick resolves it
        found = escalating_group(incident, groups, by_route, {a.fingerprint for a in firing})
        if found is None:
            continue
        group, policy = found
        step = current_step(policy, incident.opened_at, now)
        if step is None or step.source in recorded[incident.id]:
            continue
        paged = not (step.loop == 0 and step.index == 0 and step.receiver == group.receiver)
        rows: list[NewNotification] = []
        if paged:
            body = payload(step.receiver, incident.group_key, group.labels, firing)
            body["escalation"] = {
                "incident_id": incident.id,
                "policy": policy.name,
                "loop": step.loop,
                "step": step.index,
            }
            rows = [
                NewNotification(step.receiver, name, incident.group_key, "firing", body)
                for name in integrations_of(config, step.receiver)
            ]
        enqueued = record_escalation(
            engine, incident.id, _event(incident, policy, step, paged), rows, now
        )
        if enqueued is not None:
            report.escalated.append((incident.id, step.source))
            report.enqueued += enqueued
    return report
