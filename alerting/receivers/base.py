"""What every receiver integration is: ``send(notification) -> DeliveryResult``.

A notifier ships one outbox row and reports the outcome; it never sleeps and never retries.
Whether and when to try again is the dispatcher's decision, as in Alertmanager where
notifiers return ``(retry, err)`` and one retry stage owns the backoff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, Protocol

from alerting.errors import DeliveryError, RetryableDeliveryError
from store.notifications import NotificationRecord

Outcome = Literal["ok", "retryable", "permanent"]


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery attempt."""

    outcome: Outcome
    error: str | None = None
    retry_after: timedelta | None = None
    response: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def ok(cls, response: Mapping[str, Any] | None = None) -> DeliveryResult:
        return cls("ok", response=dict(response or {}))

    @classmethod
    def failed(cls, error: DeliveryError) -> DeliveryResult:
        if isinstance(error, RetryableDeliveryError):
            return cls("retryable", str(error), error.retry_after)
        return cls("permanent", str(error))


class Notifier(Protocol):
    """One integration of a receiver (``slack_configs[0]``, ``log_configs[1]``, ...)."""

    @property
    def send_resolved(self) -> bool:
        """Whether resolved notifications are sent to this integration."""
        ...

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        """Deliver one outbox row; report the outcome instead of raising."""
        ...
