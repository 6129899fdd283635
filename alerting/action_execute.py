"""Executing pending actions: send, retry with backoff through the stored row, or fail.

A pending action whose ``next_attempt_at`` has come is posted to its webhook
(:class:`~alerting.action_webhook.ActionSender`). Accepted → ``sent``, with the time by which
verification must see the triggering alert resolve. A retryable failure keeps it pending
until ``retry_backoff`` × 2^attempts later (or the server's ``Retry-After``, if longer); a
permanent failure, or the last of ``max_attempts``, makes it ``failed``: the timeline gets
``action_failed``, the audit log an entry, and an ``ActionFailed`` alert fires for the
router to page (:func:`raise_action_alert`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.action_webhook import ActionSender
from alerting.config.actions import ActionsConfig
from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError
from store.actions import ActionRecord, actions_in, advance
from store.alerts import AlertRecord, fingerprint, resolve, upsert_firing
from store.audit import AuditEntry
from store.incident_inputs import alerts_by_id
from store.incidents import IncidentEvent

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "vigil"
ACTION_FAILED = "ActionFailed"
NOT_EFFECTIVE = "VigilActionNotEffective"
RUNBOOK = "action-failed"


def action_alert_labels(action: ActionRecord, alertname: str) -> dict[str, str]:
    """The labels of the alert raised about ``action``."""
    return {
        "alertname": alertname,
        "model": action.model,
        "action": action.action,
        "policy": action.policy,
        "action_id": str(action.id),
        "severity": "critical",
    }


def raise_action_alert(
    engine: Engine, action: ActionRecord, alertname: str, why: str, runbook_url: str, now: datetime
) -> None:
    """Fire ``alertname`` about ``action`` (the router pages it like any alert)."""
    summary = f"{action.action} of {action.model} ({action.policy}) {why}"
    notes = {"summary": summary, "description": summary, "runbook_url": runbook_url}
    upsert_firing(engine, action_alert_labels(action, alertname), notes, now, now)


def resolve_action_alert(
    engine: Engine, action: ActionRecord, alertname: str, now: datetime
) -> None:
    """Resolve the alert raised about ``action``, if it is firing."""
    resolve(engine, fingerprint(action_alert_labels(action, alertname)), now)


def _alert_view(alert: AlertRecord | None) -> dict[str, object]:
    if alert is None:
        return {}
    return {
        "alertname": alert.alertname,
        "labels": alert.labels,
        "summary": alert.annotations.get("summary"),
    }


def _finish_failed(
    engine: Engine, action: ActionRecord, error: str, runbook_url: str, now: datetime
) -> None:
    event = IncidentEvent(
        now,
        "action_failed",
        SYSTEM_ACTOR,
        f"{action.action} failed: {error}",
        {"action_id": action.id},
        f"action:{action.id}:failed",
    )
    audit = AuditEntry(
        now,
        SYSTEM_ACTOR,
        "action.execute",
        f"action:{action.id}",
        error,
        {"outcome": "failed", "attempts": action.attempts + 1},
    )
    values = {
        "status": "failed",
        "attempts": action.attempts + 1,
        "last_error": error,
        "finished_at": now,
        "next_attempt_at": None,
    }
    if advance(engine, action, values, event, audit):
        raise_action_alert(engine, action, ACTION_FAILED, f"failed: {error}", runbook_url, now)


def _backoff(config: ActionsConfig, action: ActionRecord, error: DeliveryError) -> timedelta:
    delay = config.retry_backoff * (2**action.attempts)
    hint = error.retry_after if isinstance(error, RetryableDeliveryError) else None
    return max(delay, hint) if hint is not None else delay


def execute_due(
    engine: Engine,
    config: ActionsConfig,
    sender: ActionSender,
    runbook_url: Callable[[str], str],
    now: datetime,
) -> list[int]:
    """Send every pending action that is due; returns the ids sent successfully."""
    sent = []
    due = [
        a for a in actions_in(engine, "pending") if a.next_attempt_at and a.next_attempt_at <= now
    ]
    alerts = alerts_by_id(engine, (a.alert_id for a in due))
    for action in due:
        webhook = config.webhook(action.webhook)
        policy = next((p for p in config.policies if p.name == action.policy), None)
        if webhook is None:
            _finish_failed(
                engine, action, f"unknown webhook {action.webhook!r}", runbook_url(RUNBOOK), now
            )
            continue
        error = sender.send(webhook, action, _alert_view(alerts.get(action.alert_id)), now)
        if error is None:
            verify_for = policy.verify_for if policy else timedelta(minutes=30)
            event = IncidentEvent(
                now,
                "action_executed",
                SYSTEM_ACTOR,
                f"{action.action} of {action.model} sent to {action.webhook}",
                {"action_id": action.id},
                f"action:{action.id}:executed",
            )
            audit = AuditEntry(
                now,
                SYSTEM_ACTOR,
                "action.execute",
                f"action:{action.id}",
                "webhook accepted",
                {"outcome": "sent", "attempts": action.attempts + 1},
            )
            values = {
                "status": "sent",
                "attempts": action.attempts + 1,
                "executed_at": now,
                "verify_until": now + verify_for,
                "next_attempt_at": None,
                "last_error": None,
            }
            if advance(engine, action, values, event, audit):
                sent.append(action.id)
            continue
        last = action.attempts + 1 >= config.max_attempts
        if isinstance(error, PermanentDeliveryError) or last:
            _finish_failed(engine, action, str(error), runbook_url(RUNBOOK), now)
            continue
        log.info(
            "action %s: attempt %d failed (%s); retrying", action.id, action.attempts + 1, error
        )
        advance(
            engine,
            action,
            {
                "attempts": action.attempts + 1,
                "last_error": str(error),
                "next_attempt_at": now + _backoff(config, action, error),
            },
        )
    return sent
