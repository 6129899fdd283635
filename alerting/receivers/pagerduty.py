"""PagerDuty integration: trigger and resolve through ``pagerduty.EventsApiV2Client``.

The client is ``httpx2``-based and, left alone, retries in-process: it sleeps between
attempts and retries a 429 without limit. Vigil's dispatcher owns retries (bounded by its
``max_attempts``, honouring ``Retry-After``, never sleeping), so the client's loop is turned
off: every retryable status gets a retry budget the client has already spent
(``max_http_attempts = -1``), which makes it return the first error response at once, and a
network failure is reported after the first attempt (``max_network_attempts = 0``).

``pagerduty`` exceptions are translated here into :mod:`alerting.errors`: 429, 5xx and
network failures are retryable, other 4xx (a bad routing key, an invalid event) permanent.
The routing key never appears in an error message. ``transport`` is an ``httpx2`` transport,
so tests route the client's ``https://events.pagerduty.com`` requests to a local server.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pagerduty

from alerting.config import PagerDutyConfig
from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.base import DeliveryResult
from alerting.receivers.http_status import http_failure
from alerting.receivers.pagerduty_event import dedup_key, trigger_event
from store.notifications import NotificationRecord

#: Statuses the client would otherwise retry (and sleep on) by itself.
_CLIENT_RETRIED = (429, 500, 502, 503, 504)
#: The client logs each error answer as "non-transient" at ERROR; the dispatcher logs the
#: outcome (retry or dead letter) itself, so the client's own messages are kept quiet.
_CLIENT_LOG = logging.getLogger(__name__ + ".client")
_CLIENT_LOG.setLevel(logging.CRITICAL)


def translate(exc: Exception) -> DeliveryError:
    """A ``pagerduty`` or ``httpx2`` exception as an alerting error."""
    if isinstance(exc, pagerduty.HttpError) and exc.response is not None:
        status = int(exc.response.status_code)
        if status < 400:  # accepted, but the body lacked the dedup key: ask again
            return RetryableDeliveryError(f"PagerDuty answered HTTP {status} without a dedup_key")
        return http_failure("PagerDuty", status, exc.response.headers.get("retry-after"))
    if isinstance(exc, httpx2.TransportError) or isinstance(exc.__cause__, httpx2.TransportError):
        cause = exc if isinstance(exc, httpx2.TransportError) else exc.__cause__
        return RetryableDeliveryError(f"cannot reach PagerDuty: {type(cause).__name__}")
    if isinstance(exc, pagerduty.Error | pagerduty.UrlError):
        return PermanentDeliveryError(f"PagerDuty client error: {type(exc).__name__}")
    raise TypeError(f"not a PagerDuty delivery error: {type(exc).__name__}") from exc


def events_client(
    config: PagerDutyConfig, *, timeout: int = 10, transport: httpx2.BaseTransport | None = None
) -> pagerduty.EventsApiV2Client:
    """An Events API client that never retries or sleeps by itself."""
    client = pagerduty.EventsApiV2Client(
        config.routing_key.get_secret_value(), base_url=config.base_url, transport=transport
    )
    client.retry = dict.fromkeys(_CLIENT_RETRIED, 1)
    client.max_http_attempts = -1
    client.max_network_attempts = 0
    client.timeout = timeout
    client.log = _CLIENT_LOG
    return client


class PagerDutyNotifier:
    """Triggers one PagerDuty alert per group, updates it while firing, resolves it."""

    def __init__(
        self,
        config: PagerDutyConfig,
        *,
        timeout: int = 10,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.client = events_client(config, timeout=timeout, transport=transport)

    @property
    def send_resolved(self) -> bool:
        return self.config.send_resolved

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        key = dedup_key(notification.group_key)
        payload: dict[str, Any] = notification.payload
        try:
            if payload["status"] == "resolved":
                answered = self.client.resolve(key)
                action = "resolve"
            else:
                answered = self.client.send_event(
                    "trigger", dedup_key=key, **trigger_event(self.config, payload)
                )
                action = "trigger"
        except (pagerduty.Error, pagerduty.UrlError, httpx2.TransportError) as exc:
            return DeliveryResult.failed(translate(exc))
        return DeliveryResult.ok({"action": action, "dedup_key": answered})

    def __repr__(self) -> str:
        return f"PagerDutyNotifier(url={self.config.url!r})"
