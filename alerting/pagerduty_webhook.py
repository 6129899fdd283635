"""PagerDuty V3 webhooks: acknowledge and resolve Vigil incidents from PagerDuty's side.

PagerDuty POSTs one event per request, ``{"event": {"id", "event_type", "occurred_at",
"agent": {"id", "summary", "type": "user_reference", ...}, "data": {"id", "type":
"incident", "incident_key", "html_url", ...}}}``, and signs the raw body: ``X-PagerDuty-
Signature: v1=<hex HMAC-SHA256 of the body with the subscription's secret>``, several
comma-separated while a secret rotates. :func:`verify_signature` accepts the request when
any ``v1`` signature matches any configured secret (constant-time comparisons).

Vigil triggers its PagerDuty alerts with ``dedup_key`` = SHA-256 of the group key
(:func:`alerting.receivers.pagerduty_event.dedup_key`), and PagerDuty reports that key as
the incident's ``incident_key``; :func:`apply_event` maps it back to the open Vigil incident
of that group (:func:`incident_for_key`) and acknowledges or resolves it through
:func:`alerting.incident_ops.transition` (timeline and audit log in one transaction), with
the PagerDuty user as the actor. Other
event types, unknown keys and incidents already past that state are reported, not errors:
PagerDuty retries anything but a 2xx, and retrying would not change the answer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from alerting.errors import IncidentStateError
from alerting.incident_ops import transition
from alerting.receivers.pagerduty_event import dedup_key
from store.alert_groups import load_groups
from store.incident_inputs import alert_id_of, alerts_by_id
from store.incidents import IncidentRecord, open_incidents, sources

#: PagerDuty event type → the Vigil incident transition it asks for.
HANDLED = {"incident.acknowledged": "acknowledge", "incident.resolved": "resolve"}


class MalformedEventError(ValueError):
    """The body is not a PagerDuty V3 webhook event (answered 400)."""


def signatures(header: str | None) -> list[str]:
    """The hex digests of the ``v1=`` entries of an ``X-PagerDuty-Signature`` header."""
    if not header:
        return []
    found = []
    for part in header.split(","):
        scheme, _, digest = part.strip().partition("=")
        if scheme == "v1" and digest:
            found.append(digest.lower())
    return found


def sign(body: bytes, secret: str) -> str:
    """The ``v1=<hex>`` signature PagerDuty sends for ``body`` with ``secret``."""
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """Whether any ``v1`` signature of ``header`` is ``body`` signed with any of ``secrets``."""
    given = signatures(header)
    if not given:
        return False
    ok = False
    for secret in secrets:
        expected = sign(body, secret).removeprefix("v1=")
        for digest in given:
            ok |= hmac.compare_digest(expected, digest)  # no early exit: constant time
    return ok


@dataclass(frozen=True)
class PagerDutyEvent:
    """The fields of a V3 event Vigil uses."""

    id: str
    event_type: str
    incident_key: str | None
    pagerduty_incident: str | None
    url: str | None
    agent_id: str | None
    agent_name: str | None

    @property
    def actor(self) -> str:
        """Who did it, as the timeline and the audit log name them."""
        name = self.agent_name or self.agent_id or "unknown user"
        return f"pagerduty:{name}"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_event(body: Any) -> PagerDutyEvent:
    """The event of a decoded V3 webhook body; :class:`MalformedEventError` if it is not one."""
    event = body.get("event") if isinstance(body, Mapping) else None
    if not isinstance(event, Mapping) or not _text(event.get("event_type")):
        raise MalformedEventError("expected {'event': {'event_type': ..., ...}}")
    data = _mapping(event.get("data"))
    agent = _mapping(event.get("agent"))
    return PagerDutyEvent(
        id=_text(event.get("id")) or "",
        event_type=str(event["event_type"]),
        incident_key=_text(data.get("incident_key")),
        pagerduty_incident=_text(data.get("id")),
        url=_text(data.get("html_url")),
        agent_id=_text(agent.get("id")),
        agent_name=_text(agent.get("summary")),
    )


@dataclass(frozen=True)
class WebhookOutcome:
    """What an event did: ``applied``, ``unchanged`` or ``ignored``, and why."""

    result: str
    detail: str
    incident_id: int | None = None


def incident_for_key(engine: Engine, incident_key: str) -> IncidentRecord | None:
    """The open Vigil incident PagerDuty knows by ``incident_key``, or None.

    The key is the dedup key of an alert group: the incident's own group, or, for an alert
    routed to several groups (``continue: true``), another group holding its alerts.
    """
    current = open_incidents(engine)
    direct = [i for i in current if dedup_key(i.group_key) == incident_key]
    if direct:
        return direct[-1]
    groups = [g for g in load_groups(engine).values() if dedup_key(g.group_key) == incident_key]
    members = {fp for g in groups for fp in g.members}
    if not members:
        return None
    recorded = sources(engine, (i.id for i in current))
    for incident in reversed(current):
        ids = [a for a in (alert_id_of(s) for s in recorded[incident.id]) if a is not None]
        if any(a.fingerprint in members for a in alerts_by_id(engine, ids).values()):
            return incident
    return None


def apply_event(engine: Engine, event: PagerDutyEvent, now: datetime) -> WebhookOutcome:
    """Acknowledge or resolve the Vigil incident an event is about."""
    verb = HANDLED.get(event.event_type)
    if verb is None:
        return WebhookOutcome("ignored", f"event type {event.event_type} is not handled")
    if event.incident_key is None:
        return WebhookOutcome("ignored", "the PagerDuty incident has no incident_key")
    incident = incident_for_key(engine, event.incident_key)
    if incident is None:
        return WebhookOutcome("ignored", "no open Vigil incident has this incident_key")
    data = {
        "source": "pagerduty",
        "pagerduty_event": event.id,
        "pagerduty_incident": event.pagerduty_incident,
        "pagerduty_url": event.url,
        "pagerduty_user": event.agent_id,
    }
    reason = f"{event.event_type} in PagerDuty ({event.pagerduty_incident or 'incident'})"
    try:
        transition(engine, incident.id, verb, event.actor, reason, now, data=data)
    except IncidentStateError as exc:
        return WebhookOutcome("unchanged", str(exc), incident.id)
    return WebhookOutcome("applied", f"incident {incident.id} {verb}d", incident.id)
