"""Classifying an HTTP answer the way every Vigil receiver does: retry, or give up.

429 and 5xx (and 408, a request timeout) are worth another attempt, after the server's
``Retry-After`` when it sent one in seconds; every other 4xx will fail the same way again.
Receivers call :func:`http_failure` at their boundary and return the error inside a
:class:`~alerting.receivers.base.DeliveryResult`.
"""

from __future__ import annotations

from datetime import timedelta

from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError

RETRYABLE_STATUSES = frozenset({408, 429})


def retry_after(value: str | None) -> timedelta | None:
    """A ``Retry-After`` header given in seconds; None when absent or not a number."""
    if value is None:
        return None
    try:
        return timedelta(seconds=max(0, int(value.strip())))
    except ValueError:
        return None


def http_failure(service: str, status: int, retry_after_header: str | None) -> DeliveryError:
    """The alerting error for a non-2xx answer of ``service`` (never includes secrets)."""
    message = f"{service} answered HTTP {status}"
    if status in RETRYABLE_STATUSES or status >= 500:
        return RetryableDeliveryError(message, retry_after(retry_after_header))
    return PermanentDeliveryError(message)
