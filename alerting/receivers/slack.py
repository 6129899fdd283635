"""Slack integration: ``chat.postMessage`` through ``slack_sdk.WebClient``.

The client is built with no retry handlers, so it never sleeps: a 429 or a 5xx comes back as
a retryable result carrying Slack's ``Retry-After``, and the dispatcher schedules the next
attempt. ``slack_sdk`` exceptions are translated here into :mod:`alerting.errors`; the bot
token never appears in an error message.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from alerting.config import SlackConfig
from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.base import DeliveryResult
from alerting.receivers.slack_message import slack_message
from store.notifications import NotificationRecord

#: Slack ``error`` codes that mean "try again later" even with an HTTP 200.
RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def _retry_after(headers: Mapping[str, Any]) -> timedelta | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, list | tuple) else value
            try:
                return timedelta(seconds=max(0, int(str(text).strip())))
            except ValueError:
                return None
    return None


def translate(exc: Exception) -> DeliveryError:
    """A ``slack_sdk`` or network exception as an alerting error (retryable or permanent)."""
    if isinstance(exc, SlackApiError):
        status = int(exc.response.status_code)
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        code = str(data.get("error", "unknown_error"))[:200]
        message = f"Slack answered HTTP {status}: {code}"
        if status == 429 or status >= 500 or code in RETRYABLE_ERRORS:
            return RetryableDeliveryError(message, _retry_after(exc.response.headers or {}))
        return PermanentDeliveryError(message)
    if isinstance(exc, OSError | http.client.HTTPException):
        # URLError, ConnectionError, TimeoutError, RemoteDisconnected: the network, not us.
        reason = getattr(exc, "reason", None) or exc
        return RetryableDeliveryError(f"cannot reach Slack: {type(exc).__name__}: {reason}")
    if isinstance(exc, SlackClientError):
        return PermanentDeliveryError(f"Slack client error: {type(exc).__name__}: {exc}")
    raise TypeError(f"not a Slack delivery error: {type(exc).__name__}") from exc


class SlackNotifier:
    """Posts group notifications to one Slack channel."""

    def __init__(
        self, config: SlackConfig, *, timeout: int = 10, client: WebClient | None = None
    ) -> None:
        self.config = config
        base_url = config.api_url if config.api_url.endswith("/") else config.api_url + "/"
        self.client = client or WebClient(
            token=config.token.get_secret_value(),
            base_url=base_url,
            timeout=timeout,
            retry_handlers=[],
        )

    @property
    def send_resolved(self) -> bool:
        return self.config.send_resolved

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        message = slack_message(notification.payload)
        try:
            response = self.client.chat_postMessage(
                channel=self.config.channel,
                text=message["text"],
                blocks=message["blocks"],
                unfurl_links=False,
            )
        except (SlackClientError, OSError, http.client.HTTPException) as exc:
            return DeliveryResult.failed(translate(exc))
        return DeliveryResult.ok({"channel": response.get("channel"), "ts": response.get("ts")})

    def __repr__(self) -> str:
        return f"SlackNotifier(channel={self.config.channel!r}, api_url={self.config.api_url!r})"
