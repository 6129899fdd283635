"""What a replay would have sent: notifications and action webhooks, recorded, not sent.

Receivers are built as ``vigil serve`` builds them (:func:`alerting.receivers.build_receivers`);
:meth:`Recorder.wrap`, passed as ``BuildContext.wrap``, puts a :class:`RecordingNotifier`
around each. Without ``--live`` it records the notification and reports success, so the
outbox, incidents and escalations move on exactly as if it had been delivered; with
``--live`` it delivers through the real notifier and records the outcome too. Action
webhooks get the same treatment through the HTTP transport of
:class:`alerting.action_webhook.ActionSender`: the signed request is built and recorded, and
a local ``202 Accepted`` stands in for the service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from alerting.receivers import DeliveryResult, Notifier
from store.notifications import NotificationRecord


def _alert_summary(alert: dict[str, Any]) -> dict[str, Any]:
    labels = alert.get("labels") or {}
    return {
        "alertname": labels.get("alertname"),
        "model": labels.get("model"),
        "severity": labels.get("severity"),
        "status": alert.get("status"),
    }


class Recorder:
    """Collects notifications and action requests at the simulated time ``clock()``."""

    def __init__(self, clock: Callable[[], datetime], live: bool = False) -> None:
        self._clock = clock
        self.live = live
        self.notifications: list[dict[str, Any]] = []
        self.action_requests: list[dict[str, Any]] = []

    def wrap(self, receiver: str, integration: str, notifier: Notifier) -> Notifier:
        """``BuildContext.wrap``: record every notification sent to this integration."""
        return RecordingNotifier(self, notifier)

    def record_notification(self, notification: NotificationRecord, outcome: str) -> None:
        payload = notification.payload
        self.notifications.append(
            {
                "at": self._clock().isoformat(),
                "receiver": notification.receiver,
                "integration": notification.integration,
                "group_key": notification.group_key,
                "kind": notification.kind,
                "alerts": [_alert_summary(a) for a in payload.get("alerts", [])],
                "outcome": outcome,
            }
        )

    def action_transport(self) -> httpx.MockTransport:
        """The transport of a non-live ``ActionSender``: record the request, answer 202."""

        def handle(request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            self.action_requests.append(
                {
                    "at": self._clock().isoformat(),
                    "host": request.url.host,
                    "id": body.get("id"),
                    "action": body.get("action"),
                    "model": body.get("model"),
                    "target_version": body.get("target_version"),
                    "policy": body.get("policy"),
                    "incident_id": body.get("incident_id"),
                }
            )
            return httpx.Response(202, json={"recorded": True})

        return httpx.MockTransport(handle)


class RecordingNotifier:
    """A notifier that records, and delivers only when the recorder is live."""

    def __init__(self, recorder: Recorder, inner: Notifier) -> None:
        self._recorder = recorder
        self._inner = inner

    @property
    def send_resolved(self) -> bool:
        return self._inner.send_resolved

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        if not self._recorder.live:
            self._recorder.record_notification(notification, "recorded")
            return DeliveryResult.ok({"recorded": True})
        result = self._inner.send(notification)
        self._recorder.record_notification(notification, result.outcome)
        return result

    def __repr__(self) -> str:
        return f"RecordingNotifier({self._inner!r})"
