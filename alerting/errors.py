"""Errors of the alerting package.

    AlertingError
    ├── UnknownIntegrationError     an outbox row names a receiver integration not configured
    └── DeliveryError               a receiver could not deliver a notification
        ├── RetryableDeliveryError  worth trying again later: rate limited (429, with the
        │                           server's Retry-After), 5xx, connection failures, timeouts
        └── PermanentDeliveryError  will fail the same way however often it is sent: bad
                                    token, unknown channel, a request the server rejects

Receivers translate their client library's exceptions (``slack_sdk.errors``, ``OSError``) into
these at the boundary and hand them back inside a :class:`~alerting.receivers.base.DeliveryResult`
instead of raising: as in Alertmanager's notifiers, a receiver only says whether a failure is
retryable, and the dispatcher alone decides when to try again. Messages never contain tokens.
"""

from __future__ import annotations

from datetime import timedelta


class AlertingError(Exception):
    """Base class of every error the alerting package raises."""


class UnknownIntegrationError(AlertingError):
    """An outbox row names a receiver or integration that the current config does not have."""


class DeliveryError(AlertingError):
    """A notification could not be delivered."""


class RetryableDeliveryError(DeliveryError):
    """A transient failure; ``retry_after`` is the server's own hint, when it gave one."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """A failure that retrying cannot fix."""
