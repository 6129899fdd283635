"""Sending an action to its webhook: a Standard-Webhooks-signed JSON POST.

The ``webhook-id`` is ``vigil-action-<action id>``, the same on every retry, so the
receiving service can drop repeats. The answer is classified as for notifications
(:mod:`alerting.receivers.http_status`): 2xx done; 408, 429, 5xx and network failures
retryable; other statuses permanent. Errors name the host, never the URL (it may hold a
token). ``transport`` is a parameter, so tests can swap the network.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from alerting.config.actions import ActionWebhook
from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.http_status import http_failure
from alerting.receivers.webhook_signing import sign_headers
from store.actions import ActionRecord

USER_AGENT = "Vigil-Actions/1"


def message_id(action: ActionRecord) -> str:
    """The ``webhook-id`` of an action: stable across retries."""
    return f"vigil-action-{action.id}"


def action_body(action: ActionRecord, alert: dict[str, Any]) -> str:
    """The JSON body of an action request."""
    body = {
        "id": message_id(action),
        "action": action.action,
        "model": action.model,
        "target_version": action.target_version,
        "incident_id": action.incident_id,
        "policy": action.policy,
        "requested_at": action.requested_at.isoformat(),
        "approved_by": action.approved_by,
        "alert": alert,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class ActionSender:
    """Posts actions to their webhooks."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.client = httpx.Client(transport=transport, follow_redirects=False)

    def send(
        self, webhook: ActionWebhook, action: ActionRecord, alert: dict[str, Any], now: datetime
    ) -> DeliveryError | None:
        """POST the action; None when the webhook accepted it, else the error."""
        host = urlsplit(webhook.url).netloc
        body = action_body(action, alert)
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        if webhook.secret is not None:
            headers |= sign_headers(
                webhook.secret.get_secret_value(), message_id(action), now, body
            )
        try:
            response = self.client.post(
                webhook.url,
                content=body.encode(),
                headers=headers,
                timeout=webhook.timeout.total_seconds(),
            )
        except httpx.TransportError as exc:
            return RetryableDeliveryError(
                f"cannot reach action webhook {host}: {type(exc).__name__}"
            )
        except httpx.HTTPError as exc:
            return PermanentDeliveryError(f"action webhook {host}: {type(exc).__name__}")
        if not response.is_success:
            return http_failure(
                f"action webhook {host}", response.status_code, response.headers.get("retry-after")
            )
        return None

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()
