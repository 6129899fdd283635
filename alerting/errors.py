"""Errors of the alerting package.

    AlertingError
    ├── RouteConfigError            the routing config cannot be compiled (no root receiver);
    │                               also a ValueError, as config validation errors are
    │   └── RoutingFileError        a file given to `vigil routes test` is unreadable or
    │                               invalid; ``problems`` lists (YAML path, reason)
    ├── UnknownIntegrationError     an outbox row names a receiver integration not configured
    ├── SilenceError                a silence request that cannot be carried out
    │   ├── InvalidSilenceError     bad matchers, or an end before the start
    │   └── SilenceNotFoundError    no silence has that id
    ├── IncidentError               an operator request on an incident that cannot be done
    │   ├── IncidentNotFoundError   no incident has that id
    │   └── IncidentStateError      the incident's status does not allow it (closed, or
    │                               already past the requested status)
    ├── ActionError                 an operator request on an action that cannot be done
    │   ├── ActionNotFoundError     no action has that id
    │   └── ActionStateError        the action is not awaiting approval
    ├── SignatureError              a webhook whose Standard Webhooks signature does not
    │                               check out; ``reason`` says how
    └── DeliveryError               a receiver could not deliver a notification
        ├── RetryableDeliveryError  worth trying again later: rate limited (429, with the
        │                           server's Retry-After), 5xx, connection failures, timeouts
        └── PermanentDeliveryError  will fail the same way however often it is sent: bad
                                    token, unknown channel, a request the server rejects

Receivers translate their client library's exceptions (``slack_sdk.errors``, ``pagerduty``,
``httpx``, ``OSError``) into these at the boundary and hand them back inside a
:class:`~alerting.receivers.base.DeliveryResult` instead of raising: as in Alertmanager's
notifiers, a receiver only says whether a failure is retryable, and the dispatcher alone
decides when to try again. Messages never contain tokens, routing keys or secrets.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

SignatureFailure = Literal[
    "missing_headers", "invalid_signature", "timestamp_too_old", "timestamp_too_new"
]


class AlertingError(Exception):
    """Base class of every error the alerting package raises."""


class RouteConfigError(AlertingError, ValueError):
    """The routing tree cannot be compiled from the config."""


class RoutingFileError(RouteConfigError):
    """A routing config file that cannot be used; ``problems`` are (YAML path, reason)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        lines = "\n".join(f"  {path}: {reason}" for path, reason in problems)
        super().__init__(f"{source}: invalid routing configuration\n{lines}")
        self.source = source
        self.problems = problems


class UnknownIntegrationError(AlertingError):
    """An outbox row names a receiver or integration that the current config does not have."""


class SilenceError(AlertingError):
    """A silence request that cannot be carried out."""


class InvalidSilenceError(SilenceError):
    """Matchers that do not parse or match everything, or an end not after the start."""


class SilenceNotFoundError(SilenceError):
    """No silence has the given id."""


class IncidentError(AlertingError):
    """An operator request on an incident that cannot be carried out."""


class IncidentNotFoundError(IncidentError):
    """No incident has the given id."""


class IncidentStateError(IncidentError):
    """The incident's status does not allow the request; ``status`` is the current one."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class ActionError(AlertingError):
    """An operator request on a guarded action that cannot be carried out."""


class ActionNotFoundError(ActionError):
    """No action has the given id."""


class ActionStateError(ActionError):
    """The action's status does not allow the request; ``status`` is the current one."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class SignatureError(AlertingError):
    """A webhook whose signature does not check out; ``reason`` says how."""

    def __init__(self, reason: SignatureFailure) -> None:
        super().__init__(reason.replace("_", " "))
        self.reason: SignatureFailure = reason


class DeliveryError(AlertingError):
    """A notification could not be delivered."""


class RetryableDeliveryError(DeliveryError):
    """A transient failure; ``retry_after`` is the server's own hint, when it gave one."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """A failure that retrying cannot fix."""
