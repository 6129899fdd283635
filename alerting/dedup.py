"""The per-integration end of the pipeline: dedup → notify (the outbox) → record (the log).

``needs_update`` is Alertmanager's ``DedupStage.needsUpdate`` against the persisted
notification log: notify when an alert fires that the integration was not told about, when
everything resolved after it was told something fired, when a resolution is new (if the
integration wants resolutions), or when ``repeat_interval`` has passed since the last
notification. The outcome pairs the outbox row with the log entry that records it; the
router commits both in one transaction (Alertmanager's retry and set-notifies stages), and
the dispatcher retries the row until it is delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from alerting.mute_stages import FlushContext
from alerting.payload import payload
from store.alert_groups import LogEntry
from store.alerts import AlertRecord
from store.notifications import NewNotification, NotificationKind

Reason = Literal["first", "new_firing", "all_resolved", "new_resolved", "repeat"]


def needs_update(
    entry: LogEntry | None,
    firing: frozenset[str],
    resolved: frozenset[str],
    send_resolved: bool,
    repeat_interval: timedelta,
    now: datetime,
) -> Reason | None:
    """Why the integration must be notified of this state, or None when it already knows."""
    if entry is None:
        return "first" if firing else None
    if not firing <= entry.firing:
        return "new_firing"
    if not firing:
        # Sent whatever send_resolved says, so the log forgets the firing alerts.
        return "all_resolved" if entry.firing else None
    if send_resolved and not resolved <= entry.resolved:
        return "new_resolved"
    if entry.notified_at < now - repeat_interval:
        return "repeat"
    return None


@dataclass(frozen=True)
class Outcome:
    """What the pipeline decided for one integration in one flush."""

    integration: str
    reason: str
    notification: NewNotification | None = None
    log: LogEntry | None = None


def integration_outcome(
    ctx: FlushContext,
    integration: str,
    send_resolved: bool,
    alerts: Sequence[AlertRecord],
    entry: LogEntry | None,
    previous_unfinished: bool,
) -> Outcome:
    """Dedup, then build the outbox row and its log entry (both None if nothing to send).

    A repeat is skipped while the previous notification of this group to this integration
    is still in the outbox: that one is still being delivered. Resolution-only flushes to an
    integration without ``send_resolved`` are recorded in the log but not sent.
    """
    firing = frozenset(a.fingerprint for a in alerts if a.status == "firing")
    resolved = frozenset(a.fingerprint for a in alerts if a.status != "firing")
    repeat = ctx.route.opts.repeat_interval
    reason = needs_update(entry, firing, resolved, send_resolved, repeat, ctx.now)
    if reason is None:
        return Outcome(integration, "unchanged")
    if reason == "repeat" and previous_unfinished:
        return Outcome(integration, "previous notification still in the outbox")
    log = LogEntry(ctx.group_key, ctx.receiver, integration, firing, resolved, ctx.now)
    sendable = [a for a in alerts if send_resolved or a.status == "firing"]
    if not sendable:
        return Outcome(integration, f"{reason} (recorded, resolutions not sent)", None, log)
    body = payload(ctx.receiver, ctx.group_key, ctx.group_labels, sendable)
    kind: NotificationKind = "firing" if body["status"] == "firing" else "resolved"
    notification = NewNotification(ctx.receiver, integration, ctx.group_key, kind, body)
    return Outcome(integration, reason, notification, log)
