"""Webhook integration: POST the notification as JSON, signed as Standard Webhooks.

The body is the notification payload (Alertmanager's webhook payload, in snake case), with
at most ``max_alerts`` alerts and the number left out in ``truncated_alerts``. With a
``secret``, the request carries ``webhook-id`` (``vigil-notification-<outbox id>``, the same
on every retry), ``webhook-timestamp`` and ``webhook-signature``
(:mod:`alerting.receivers.webhook_signing`), so the receiver can check it came from Vigil and
drop repeats.

Sent with ``httpx``; ``transport`` is a parameter, so tests can swap the network. 2xx is
delivered; 408, 429 (after ``Retry-After``), 5xx and network failures are retryable; other
statuses permanent. Errors name the host, never the full URL (it may hold a token).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from alerting.config import WebhookConfig
from alerting.errors import PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.base import DeliveryResult
from alerting.receivers.http_status import http_failure
from alerting.receivers.webhook_signing import sign_headers
from store.notifications import NotificationRecord

USER_AGENT = "Vigil-Alerting/1"


def webhook_body(config: WebhookConfig, payload: dict[str, Any]) -> str:
    """The JSON body: the payload, truncated to ``max_alerts`` alerts."""
    alerts = list(payload.get("alerts", []))
    kept = alerts[: config.max_alerts] if config.max_alerts else alerts
    body = {**payload, "alerts": kept, "truncated_alerts": len(alerts) - len(kept)}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def message_id(notification: NotificationRecord) -> str:
    """The ``webhook-id`` of a notification: stable across retries."""
    return f"vigil-notification-{notification.id}"


class WebhookNotifier:
    """Posts notifications to one URL."""

    def __init__(
        self,
        config: WebhookConfig,
        clock: Callable[[], datetime],
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.host = urlsplit(config.url).netloc
        self.client = httpx.Client(
            transport=transport, timeout=config.timeout.total_seconds(), follow_redirects=False
        )

    @property
    def send_resolved(self) -> bool:
        return self.config.send_resolved

    def _headers(self, notification: NotificationRecord, body: str) -> dict[str, str]:
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        if self.config.secret is not None:
            secret = self.config.secret.get_secret_value()
            headers |= sign_headers(secret, message_id(notification), self.clock(), body)
        return headers

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        body = webhook_body(self.config, notification.payload)
        try:
            response = self.client.post(
                self.config.url,
                content=body.encode(),
                headers=self._headers(notification, body),
            )
        except httpx.TransportError as exc:
            return DeliveryResult.failed(
                RetryableDeliveryError(f"cannot reach webhook {self.host}: {type(exc).__name__}")
            )
        except httpx.HTTPError as exc:
            return DeliveryResult.failed(
                PermanentDeliveryError(f"webhook {self.host}: {type(exc).__name__}")
            )
        if not response.is_success:
            error = http_failure(
                f"webhook {self.host}", response.status_code, response.headers.get("retry-after")
            )
            return DeliveryResult.failed(error)
        return DeliveryResult.ok({"status": response.status_code})

    def __repr__(self) -> str:
        return f"WebhookNotifier(host={self.host!r})"
