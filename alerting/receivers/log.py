"""Log-file integration: one JSON line per notification, appended and fsynced.

Useful as an audit trail beside Slack, and as the receiver of the demo and of tests. A line
is durable before the notification is marked sent; a crash between the two repeats the line
on the next attempt (at-least-once, like every receiver).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from alerting.config import LogConfig
from alerting.errors import PermanentDeliveryError, RetryableDeliveryError
from alerting.receivers.base import DeliveryResult
from store.notifications import NotificationRecord

#: Errors that another attempt cannot fix without an operator.
_PERMANENT = (PermissionError, IsADirectoryError, NotADirectoryError)


class LogNotifier:
    """Appends notifications to one file."""

    def __init__(self, config: LogConfig, path: Path | None = None) -> None:
        self.config = config
        self.path = path if path is not None else Path(config.path)

    @property
    def send_resolved(self) -> bool:
        return self.config.send_resolved

    def send(self, notification: NotificationRecord) -> DeliveryResult:
        line = json.dumps(
            {
                "id": notification.id,
                "receiver": notification.receiver,
                "integration": notification.integration,
                "group_key": notification.group_key,
                "kind": notification.kind,
                "created_at": notification.created_at.isoformat(),
                "payload": notification.payload,
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())
        except _PERMANENT as exc:
            return DeliveryResult.failed(
                PermanentDeliveryError(f"cannot write {self.path}: {exc.strerror}")
            )
        except OSError as exc:
            return DeliveryResult.failed(
                RetryableDeliveryError(f"cannot write {self.path}: {exc.strerror}")
            )
        return DeliveryResult.ok({"path": str(self.path)})

    def __repr__(self) -> str:
        return f"LogNotifier(path={str(self.path)!r})"
