"""Slack integration: ``chat.postMessage`` through ``slack_sdk.WebClient``.

A firing notification is a new message; Slack's answer (``channel`` and ``ts``) is what the
dispatcher records. A resolved notification, given that answer for the group's last firing
post (:meth:`SlackNotifier.send_follow_up`), edits that post to show it resolved
(``chat.update``) and replies in its thread with the time; without one (the firing post was
sent before Vigil kept it, or was never sent), or when Slack no longer lets the post be
edited, it is a new message as before. The edit is idempotent, so a retry after a failed
reply edits again and replies once.

The client is built with no retry handlers, so it never sleeps: a 429 or a 5xx comes back as
a retryable result carrying Slack's ``Retry-After``, and the dispatcher schedules the next
attempt. ``slack_sdk`` exceptions are translated here into :mod:`alerting.errors`; the bot
token never appears in an error message.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from alerting.config import SlackConfig
from alerting.errors import DeliveryError, PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.base import DeliveryResult
from alerting.receivers.slack_message import slack_message
from alerting.receivers.slack_resolved import resolved_at, resolved_reply, resolved_update
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


#: ``chat.update`` error codes meaning the post cannot be edited: post a new message instead.
UNEDITABLE_ERRORS = frozenset(
    {"message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found"}
)


@dataclass(frozen=True)
class SlackPost:
    """Where a message was posted: the channel id and timestamp Slack answered."""

    channel: str
    ts: str

    @classmethod
    def of(cls, response: Mapping[str, Any] | None) -> SlackPost | None:
        """The post a recorded ``chat.postMessage`` answer names, or None if it names none."""
        channel, ts = (response or {}).get("channel"), (response or {}).get("ts")
        if isinstance(channel, str) and channel and isinstance(ts, str) and ts:
            return cls(channel, ts)
        return None


def _uneditable(exc: Exception) -> bool:
    if not isinstance(exc, SlackApiError) or not isinstance(exc.response.data, dict):
        return False
    return exc.response.data.get("error") in UNEDITABLE_ERRORS


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
        """Post the notification as a new message."""
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

    def send_follow_up(
        self, notification: NotificationRecord, earlier: Mapping[str, Any] | None
    ) -> DeliveryResult:
        """Deliver a notification given Slack's answer for the group's last firing post.

        A resolved notification edits that post and replies in its thread; anything else, or
        a resolved one with no post to edit, is posted as a new message.
        """
        post = SlackPost.of(earlier) if notification.kind == "resolved" else None
        if post is None:
            return self.send(notification)
        at = resolved_at(notification.payload) or notification.created_at
        update = resolved_update(notification.payload, at)
        reply = resolved_reply(notification.payload, at)
        try:
            self.client.chat_update(
                channel=post.channel, ts=post.ts, text=update["text"], blocks=update["blocks"]
            )
        except (SlackClientError, OSError, http.client.HTTPException) as exc:
            if _uneditable(exc):
                return self.send(notification)
            return DeliveryResult.failed(translate(exc))
        try:
            answer = self.client.chat_postMessage(
                channel=post.channel,
                thread_ts=post.ts,
                text=reply["text"],
                blocks=reply["blocks"],
                unfurl_links=False,
            )
        except (SlackClientError, OSError, http.client.HTTPException) as exc:
            return DeliveryResult.failed(translate(exc))
        return DeliveryResult.ok(
            {"channel": post.channel, "ts": post.ts, "reply_ts": answer.get("ts"), "updated": True}
        )

    def __repr__(self) -> str:
        return f"SlackNotifier(channel={self.config.channel!r}, api_url={self.config.api_url!r})"
