"""The dispatcher: sends due outbox rows, and is the one place that decides about retries.

Receivers only report ``ok``, ``retryable`` or ``permanent`` (Alertmanager's notifiers do the
same; its retry stage owns the backoff). Here a retryable failure is scheduled again after an
exponential backoff with jitter, never sooner than the server's ``Retry-After``; a permanent
failure, or the last of ``max_attempts``, marks the row dead and logs it as an error, so no
page disappears silently (and :mod:`alerting.selfmon` raises an alert about it). Nothing
sleeps: the next attempt is a time stored on the row, picked up by a later call. The random
source is a parameter, so tests are deterministic.

Rows are claimed before they are sent (:mod:`store.outbox_claims`), so several ``vigil
serve`` replicas can dispatch from one database without sending a row twice, and a row whose
dispatcher died mid-send is taken again when its lease ends. Every outcome is recorded only
while this pass still holds the claim.

A notifier that follows up on its earlier message (Slack edits the firing post when the group
resolves) is a :class:`FollowUpNotifier`: it is handed what it answered for the group's last
sent firing notification, read from the outbox, since notifiers do not read the store.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from opentelemetry import trace
from sqlalchemy import Engine

from alerting.errors import UnknownIntegrationError
from alerting.receivers import DeliveryResult, Receivers
from store.notifications import (
    NotificationRecord,
    last_sent_response,
    mark_dead,
    mark_failed_retry,
    mark_sent,
)
from store.outbox_claims import DEFAULT_LEASE, claim_due, new_claim, release

log = logging.getLogger(__name__)
#: Spans only once ``vigil serve`` installs a provider (``telemetry:``); no-ops until then.
_tracer = trace.get_tracer(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``initial_delay * multiplier**(n-1)``, capped, then ± ``jitter``."""

    max_attempts: int = 10
    initial_delay: timedelta = timedelta(seconds=10)
    multiplier: float = 2.0
    max_delay: timedelta = timedelta(minutes=15)
    jitter: float = 0.2

    def delay(
        self, failed_attempts: int, rng: random.Random, retry_after: timedelta | None = None
    ) -> timedelta:
        """How long to wait after the ``failed_attempts``-th failure (1 for the first)."""
        backoff = min(self.initial_delay * self.multiplier ** (failed_attempts - 1), self.max_delay)
        jittered = backoff * (1 + rng.uniform(-self.jitter, self.jitter))
        return max(jittered, retry_after or timedelta(0))


@dataclass(frozen=True)
class DispatchReport:
    """What one dispatch pass did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0


@runtime_checkable
class FollowUpNotifier(Protocol):
    """A notifier that follows up on the message it sent for the group's firing notification."""

    def send_follow_up(
        self, notification: NotificationRecord, earlier: Mapping[str, Any] | None
    ) -> DeliveryResult:
        """Deliver one outbox row given the recorded answer to the last firing one, if any."""
        ...


def _attempt(engine: Engine, row: NotificationRecord, receivers: Receivers) -> DeliveryResult:
    notifier = receivers.get(row.receiver, {}).get(row.integration)
    if notifier is None:
        missing = UnknownIntegrationError(
            f"receiver {row.receiver!r} has no integration {row.integration!r}"
        )
        return DeliveryResult("permanent", str(missing))
    try:
        if row.kind == "resolved" and isinstance(notifier, FollowUpNotifier):
            earlier = last_sent_response(
                engine, row.receiver, row.integration, row.group_key, before_id=row.id
            )
            return notifier.send_follow_up(row, earlier)
        return notifier.send(row)
    except Exception as exc:  # a notifier bug must not stop the other notifications
        log.exception("notifier %s failed on notification %d", row.integration, row.id)
        return DeliveryResult("retryable", f"{type(exc).__name__} in notifier")


def _record_outcome(
    engine: Engine,
    row: NotificationRecord,
    result: DeliveryResult,
    claim: str,
    now: datetime,
    rng: random.Random,
    policy: RetryPolicy,
) -> str:
    attempts = row.attempts + 1
    where = f"{row.receiver}/{row.integration} group {row.group_key}"
    if result.outcome == "ok":
        held = mark_sent(engine, row.id, now, result.response, claim=claim)
        outcome = "sent"
    elif result.outcome == "retryable" and attempts < policy.max_attempts:
        wait = policy.delay(attempts, rng, result.retry_after)
        error = result.error or "retryable failure"
        held = mark_failed_retry(engine, row.id, now + wait, error, claim=claim)
        outcome = "retried"
        log.warning(
            "notification %d to %s failed (attempt %d), retry in %ss: %s",
            row.id,
            where,
            attempts,
            wait.total_seconds(),
            result.error,
        )
    else:
        held = mark_dead(engine, row.id, now, result.error or "delivery failed", claim=claim)
        outcome = "dead"
        log.error(
            "notification %d to %s given up after %d attempts: %s",
            row.id,
            where,
            attempts,
            result.error,
        )
    if not held:
        log.warning("notification %d: claim lost before its outcome was recorded", row.id)
    return outcome


def dispatch_due(
    engine: Engine,
    receivers_by_name: Receivers,
    now: datetime,
    *,
    rng: random.Random,
    policy: RetryPolicy | None = None,
    limit: int = 100,
    owner: str = "vigil",
    lease: timedelta = DEFAULT_LEASE,
) -> DispatchReport:
    """Claim and send the notifications due at ``now``; schedule retries or give up.

    After a retryable failure, later rows for the same integration are handed back for the
    next pass (``deferred``) instead of hitting a rate-limited or failing service again right
    away. ``owner`` names this replica in the claims; ``lease`` bounds how long a crashed
    pass keeps its rows.
    """
    policy = policy or RetryPolicy()
    counts = {"sent": 0, "retried": 0, "dead": 0, "deferred": 0}
    backing_off: set[tuple[str, str]] = set()
    claim = new_claim(owner)
    for row in claim_due(engine, now, claim, lease=lease, limit=limit):
        target = (row.receiver, row.integration)
        if target in backing_off:
            release(engine, row.id, claim)
            counts["deferred"] += 1
            continue
        with _tracer.start_as_current_span(
            "vigil.notification.send",
            attributes={
                "vigil.receiver": row.receiver,
                "vigil.integration": row.integration,
                "vigil.notification.kind": row.kind,
                "vigil.notification.id": row.id,
                "vigil.notification.attempt": row.attempts + 1,
            },
        ) as span:
            result = _attempt(engine, row, receivers_by_name)
            span.set_attribute("vigil.notification.outcome", result.outcome)
        outcome = _record_outcome(engine, row, result, claim, now, rng, policy)
        counts[outcome] += 1
        if outcome == "retried":
            backing_off.add(target)
    return DispatchReport(**counts)
