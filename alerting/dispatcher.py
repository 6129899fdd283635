"""The dispatcher: sends due outbox rows, and is the one place that decides about retries.

Receivers only report ``ok``, ``retryable`` or ``permanent`` (Alertmanager's notifiers do the
same; its retry stage owns the backoff). Here a retryable failure is scheduled again after an
exponential backoff with jitter, never sooner than the server's ``Retry-After``; a permanent
failure, or the last of ``max_attempts``, marks the row dead and logs it as an error, so no
page disappears silently. Nothing sleeps: the next attempt is a time stored on the row, picked
up by a later call. The random source is a parameter, so tests are deterministic.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from alerting.receivers import DeliveryResult, Receivers
from store.notifications import (
    NotificationRecord,
    due,
    mark_dead,
    mark_failed_retry,
    mark_sent,
)

log = logging.getLogger(__name__)


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


def _attempt(row: NotificationRecord, receivers: Receivers) -> DeliveryResult:
    notifier = receivers.get(row.receiver, {}).get(row.integration)
    if notifier is None:
        return DeliveryResult(
            "permanent", f"receiver {row.receiver!r} has no integration {row.integration!r}"
        )
    try:
        return notifier.send(row)
    except Exception as exc:  # a notifier bug must not stop the other notifications
        log.exception("notifier %s failed on notification %d", row.integration, row.id)
        return DeliveryResult("retryable", f"{type(exc).__name__} in notifier")


def dispatch_due(
    engine: Engine,
    receivers_by_name: Receivers,
    now: datetime,
    *,
    rng: random.Random,
    policy: RetryPolicy | None = None,
    limit: int = 100,
) -> DispatchReport:
    """Send the notifications due at ``now``; schedule retries or give up on failures.

    After a retryable failure, later rows for the same integration wait for the next pass
    (``deferred``) instead of hitting a rate-limited or failing service again right away.
    """
    policy = policy or RetryPolicy()
    sent = retried = dead = deferred = 0
    backing_off: set[tuple[str, str]] = set()
    for row in due(engine, now, limit):
        target = (row.receiver, row.integration)
        if target in backing_off:
            deferred += 1
            continue
        result = _attempt(row, receivers_by_name)
        attempts = row.attempts + 1
        where = f"{row.receiver}/{row.integration} group {row.group_key}"
        if result.outcome == "ok":
            mark_sent(engine, row.id, now, result.response)
            sent += 1
        elif result.outcome == "retryable" and attempts < policy.max_attempts:
            wait = policy.delay(attempts, rng, result.retry_after)
            mark_failed_retry(engine, row.id, now + wait, result.error or "retryable failure")
            backing_off.add(target)
            retried += 1
            log.warning(
                "notification %d to %s failed (attempt %d), retry in %ss: %s",
                row.id,
                where,
                attempts,
                wait.total_seconds(),
                result.error,
            )
        else:
            mark_dead(engine, row.id, now, result.error or "delivery failed")
            dead += 1
            log.error(
                "notification %d to %s given up after %d attempts: %s",
                row.id,
                where,
                attempts,
                result.error,
            )
    return DispatchReport(sent, retried, dead, deferred)
