"""The actions tick: propose actions for open incidents, execute them, verify them.

Fed from the store only, and restart-safe: every decision reads stored rows (incidents,
alerts, past actions), and every change is a compare-and-set on an action's row.

1. **Propose.** For each firing alert of an open incident and each policy that applies
   (:mod:`alerting.action_guards`, fed by :mod:`alerting.action_evidence`), if every guard
   passes, store the action as ``dry_run``, ``awaiting_approval`` or ``pending`` (mode
   ``dry_run`` / ``approval`` / ``auto``), with an ``action_requested`` event and an audit
   entry. The unique (incident, action, target version) makes a second alert of the same
   incident a no-op. If a guard blocks it, an ``action_blocked`` event with the reasons and
   an ``action.blocked`` audit entry are written, once per distinct set of reasons (not
   while the alert is only waiting out the policy's ``for``, nor once the incident already
   has the action).
2. **Execute** what is pending and due (:mod:`alerting.action_execute`).
3. **Verify** what was sent, and settle the alerts raised about actions
   (:mod:`alerting.action_verify`): verified → incident ``mitigated``; still firing at
   ``verify_until`` → "verification failed" and ``VigilActionNotEffective``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from alerting.action_evidence import history_for
from alerting.action_execute import (
    ACTION_FAILED,
    NOT_EFFECTIVE,
    RUNBOOK,
    SYSTEM_ACTOR,
    execute_due,
)
from alerting.action_guards import applies, blocked_by, target_version, waiting
from alerting.action_verify import resolve_escalations, verify
from alerting.action_webhook import ActionSender
from alerting.config.actions import ActionPolicy, ActionsConfig
from store.actions import NewAction, action_exists, insert_action
from store.alerts import AlertRecord
from store.audit import AuditEntry
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import (
    IncidentEvent,
    IncidentRecord,
    add_event,
    open_incidents,
    sources,
)

log = logging.getLogger(__name__)
#: Alerts about actions never trigger actions themselves.
_OWN_ALERTS = (ACTION_FAILED, NOT_EFFECTIVE)
_STATUS_OF_MODE = {"dry_run": "dry_run", "auto": "pending", "approval": "awaiting_approval"}


@dataclass
class ActionTickReport:
    """What one tick did, by action id."""

    requested: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    verified: list[int] = field(default_factory=list)
    not_effective: list[int] = field(default_factory=list)


def record_blocked(
    engine: Engine,
    incident: IncidentRecord,
    alert: AlertRecord,
    policy: ActionPolicy,
    reasons: list[str],
    now: datetime,
) -> bool:
    """Write a blocked action to the timeline and the audit log, once per set of reasons."""
    digest = hashlib.sha256("\n".join([policy.name, *reasons]).encode()).hexdigest()[:16]
    model = alert.labels["model"]
    why = "; ".join(reasons)
    data = {"policy": policy.name, "alert_id": alert.id, "reasons": reasons}
    event = IncidentEvent(
        now,
        "action_blocked",
        SYSTEM_ACTOR,
        f"{policy.action} of {model} by policy {policy.name} blocked: {why}",
        data,
        f"action_blocked:{alert.id}:{digest}",
    )
    audit = AuditEntry(
        now,
        SYSTEM_ACTOR,
        "action.blocked",
        f"model:{model}:{target_version(alert)}",
        why,
        {**data, "action": policy.action, "incident_id": incident.id},
    )
    return add_event(engine, incident.id, event, audit)


def propose(engine: Engine, config: ActionsConfig, now: datetime) -> list[int]:
    """Store the actions the policies ask for now; returns their ids."""
    requested = []
    current = open_incidents(engine)
    recorded = sources(engine, (i.id for i in current))
    for incident in current:
        ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
        held = alerts_by_id(engine, ids).values()
        firing = [a for a in held if a.status == "firing" and a.alertname not in _OWN_ALERTS]
        for alert in sorted(firing, key=lambda a: a.id):
            for policy in (p for p in config.policies if applies(p, alert)):
                model = alert.labels["model"]
                if action_exists(engine, incident.id, policy.action, target_version(alert)):
                    continue
                history = history_for(engine, policy, alert, now)
                reasons = blocked_by(policy, alert, history, now)
                if reasons:
                    log.debug("policy %s on alert %s blocked: %s", policy.name, alert.id, reasons)
                    if not waiting(policy, alert, now):
                        record_blocked(engine, incident, alert, policy, reasons, now)
                    continue
                new = NewAction(
                    incident.id,
                    alert.id,
                    policy.name,
                    policy.action,
                    model,
                    target_version(alert),
                    policy.mode,
                    policy.webhook,
                    _STATUS_OF_MODE[policy.mode],
                )
                why = f"policy {policy.name} ({policy.mode}) on {alert.alertname}"
                event = IncidentEvent(
                    now,
                    "action_requested",
                    SYSTEM_ACTOR,
                    f"{policy.action} of {model} requested by {why}",
                    {"policy": policy.name, "mode": policy.mode, "alert_id": alert.id},
                )
                audit = AuditEntry(
                    now,
                    SYSTEM_ACTOR,
                    "action.request",
                    f"model:{model}:{new.target_version}",
                    why,
                    {"action": policy.action, "incident_id": incident.id, "mode": policy.mode},
                )
                stored = insert_action(engine, new, now, event, audit)
                if stored is not None:
                    requested.append(stored.id)
    return requested


def actions_tick(
    engine: Engine,
    config: ActionsConfig,
    sender: ActionSender,
    runbook_url: Callable[[str], str],
    now: datetime,
) -> ActionTickReport:
    """Propose, execute and verify actions at ``now``."""
    report = ActionTickReport()
    report.requested = propose(engine, config, now)
    report.sent = execute_due(engine, config, sender, runbook_url, now)
    verify(engine, runbook_url(RUNBOOK), now, report)
    resolve_escalations(engine, now)
    return report
