"""What operators do to guarded actions: approve or reject one awaiting approval.

Shared by the API and the CLI. Each is one transaction (status compare-and-set, timeline
event, audit entry). An unknown id raises :class:`ActionNotFoundError`; an action not
awaiting approval raises :class:`ActionStateError`; neither changes anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from alerting.errors import ActionNotFoundError, ActionStateError
from store.actions import ActionRecord, advance, get_action
from store.audit import AuditEntry
from store.incidents import IncidentEvent


def find_action(engine: Engine, action_id: int) -> ActionRecord:
    """The action with this id; :class:`ActionNotFoundError` if there is none."""
    action = get_action(engine, action_id)
    if action is None:
        raise ActionNotFoundError(f"no action with id {action_id}")
    return action


def decide(
    engine: Engine, action_id: int, approve: bool, actor: str, reason: str, now: datetime
) -> ActionRecord:
    """Approve (it becomes pending, due now) or reject an action awaiting approval."""
    action = find_action(engine, action_id)
    if action.status != "awaiting_approval":
        raise ActionStateError(
            f"action {action_id} is {action.status}, not awaiting approval", action.status
        )
    verb = "approved" if approve else "rejected"
    values: dict[str, object] = {"approved_by": actor[:200], "approved_at": now}
    if approve:
        values |= {"status": "pending", "next_attempt_at": now}
    else:
        values |= {"status": "rejected", "finished_at": now}
    event = IncidentEvent(
        now,
        f"action_{verb}",
        actor,
        f"{action.action} of {action.model} {verb}" + (f": {reason}" if reason else ""),
        {"action_id": action.id},
        f"action:{action.id}:{verb}",
    )
    audit = AuditEntry(
        now,
        actor,
        f"action.{'approve' if approve else 'reject'}",
        f"action:{action.id}",
        reason,
        {"action": action.action, "model": action.model, "incident_id": action.incident_id},
    )
    if not advance(engine, action, values, event, audit):
        current = find_action(engine, action_id)
        raise ActionStateError(
            f"action {action_id} changed to {current.status} meanwhile", current.status
        )
    return find_action(engine, action_id)
