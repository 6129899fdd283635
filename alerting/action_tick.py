"""The actions tick: propose actions for open incidents, execute them, verify them.

Fed from the store only, and restart-safe: every decision reads stored rows (incidents,
alerts, past actions), and every change is a compare-and-set on an action's row.

1. **Propose.** For each firing alert of an open incident and each policy that applies
   (:mod:`alerting.action_guards`), if every guard passes, store the action as ``dry_run``,
   ``awaiting_approval`` or ``pending`` (mode ``dry_run`` / ``approval`` / ``auto``), with
   an ``action_requested`` event and an audit entry. The unique (incident, action, target
   version) makes a second alert of the same incident a no-op.
2. **Execute** what is pending and due (:mod:`alerting.action_execute`).
3. **Verify** what was sent, and settle the alerts raised about actions
   (:mod:`alerting.action_verify`): verified → incident ``mitigated``; still firing at
   ``verify_until`` → "verification failed" and ``VigilActionNotEffective``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from alerting.action_execute import (
    ACTION_FAILED,
    NOT_EFFECTIVE,
    RUNBOOK,
    SYSTEM_ACTOR,
    execute_due,
)
from alerting.action_guards import DAY, History, applies, blocked_by, target_version
from alerting.action_verify import resolve_escalations, verify
from alerting.action_webhook import ActionSender
from alerting.config.actions import ActionsConfig
from store.actions import NewAction, count_since, insert_action, last_requested
from store.audit import AuditEntry
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import (
    IncidentEvent,
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
                history = History(
                    last_requested(engine, model), count_since(engine, model, now - DAY)
                )
                reasons = blocked_by(policy, alert, history, now)
                if reasons:
                    log.debug("policy %s on alert %s blocked: %s", policy.name, alert.id, reasons)
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
