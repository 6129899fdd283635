"""Aggregation groups and the notification log, and the one transaction that changes them.

A group (Alertmanager's aggregation group) is stored with its members (alert fingerprints)
and its timer: when it next flushes. The notification log (Alertmanager's ``nflog``) says,
per group and receiver integration, which alerts were firing and which resolved in the last
notification, and when it was enqueued.

:func:`commit_group` writes a group's new state, its notification-log entries and its outbox
rows in a single transaction, and only if the group is still at the version the router read
(optimistic locking). So a notification is enqueued exactly when the log records it: a crash
before the commit leaves nothing (the next tick redoes the work), a crash after leaves
everything, and two routers racing on one group cannot both enqueue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, select, update
from sqlalchemy.exc import IntegrityError

from store.notifications import NewNotification, insert_notifications
from store.schema import alert_groups, notification_log


@dataclass(frozen=True)
class GroupRecord:
    """One aggregation group as stored; ``version`` increases with every change."""

    group_key: str
    route_id: str
    receiver: str
    labels: dict[str, str]
    members: tuple[str, ...]
    created_at: datetime
    next_flush_at: datetime
    last_flush_at: datetime | None
    version: int


@dataclass(frozen=True)
class LogEntry:
    """What one integration was last told about one group."""

    group_key: str
    receiver: str
    integration: str
    firing: frozenset[str]
    resolved: frozenset[str]
    notified_at: datetime


@dataclass(frozen=True)
class GroupCommit:
    """A group's next state. ``expected_version`` None creates it; ``members`` None deletes it.

    ``notifications`` and ``log`` line up: ``log[i]`` records ``notifications[i]`` when
    ``log[i].integration`` equals it; log entries without a notification are recorded alone.
    """

    group: GroupRecord
    expected_version: int | None
    members: tuple[str, ...] | None
    log: Sequence[LogEntry] = ()
    notifications: Sequence[NewNotification] = field(default_factory=tuple)


def _group(row: Row[Any]) -> GroupRecord:
    m = row._mapping
    return GroupRecord(
        group_key=m["group_key"],
        route_id=m["route_id"],
        receiver=m["receiver"],
        labels=dict(m["labels"]),
        members=tuple(m["members"]),
        created_at=m["created_at"],
        next_flush_at=m["next_flush_at"],
        last_flush_at=m["last_flush_at"],
        version=int(m["version"]),
    )


def load_groups(engine: Engine) -> dict[str, GroupRecord]:
    """Every stored group, by key."""
    with engine.connect() as conn:
        return {g.group_key: g for g in map(_group, conn.execute(select(alert_groups)))}


def load_log(engine: Engine) -> dict[tuple[str, str, str], LogEntry]:
    """Every notification-log entry, by ``(group_key, receiver, integration)``."""
    with engine.connect() as conn:
        rows = conn.execute(select(notification_log)).all()
    entries = (
        LogEntry(
            r.group_key,
            r.receiver,
            r.integration,
            frozenset(r.firing),
            frozenset(r.resolved),
            r.notified_at,
        )
        for r in rows
    )
    return {(e.group_key, e.receiver, e.integration): e for e in entries}


def _write_group(conn: Connection, commit: GroupCommit) -> bool:
    g = commit.group
    values = {
        "route_id": g.route_id,
        "receiver": g.receiver,
        "labels": dict(g.labels),
        "members": list(commit.members or ()),
        "created_at": g.created_at,
        "next_flush_at": g.next_flush_at,
        "last_flush_at": g.last_flush_at,
    }
    if commit.expected_version is None:
        if commit.members is None:
            return True
        try:
            with conn.begin_nested():
                conn.execute(
                    alert_groups.insert().values(group_key=g.group_key, version=1, **values)
                )
        except IntegrityError:
            return False  # another router created it first
        return True
    where = (alert_groups.c.group_key == g.group_key) & (
        alert_groups.c.version == commit.expected_version
    )
    if commit.members is None:
        changed = conn.execute(delete(alert_groups).where(where)).rowcount
        conn.execute(delete(notification_log).where(notification_log.c.group_key == g.group_key))
        return bool(changed)
    stmt = update(alert_groups).where(where).values(version=commit.expected_version + 1, **values)
    return bool(conn.execute(stmt).rowcount)


def _write_log(conn: Connection, entry: LogEntry, notification_id: int | None) -> None:
    values = {
        "firing": sorted(entry.firing),
        "resolved": sorted(entry.resolved),
        "notified_at": entry.notified_at,
        "notification_id": notification_id,
    }
    target = (
        (notification_log.c.group_key == entry.group_key)
        & (notification_log.c.receiver == entry.receiver)
        & (notification_log.c.integration == entry.integration)
    )
    if not conn.execute(update(notification_log).where(target).values(**values)).rowcount:
        conn.execute(
            notification_log.insert().values(
                group_key=entry.group_key,
                receiver=entry.receiver,
                integration=entry.integration,
                **values,
            )
        )


class _GroupMoved(Exception):
    """Another router changed the group since it was read: this commit must not apply."""


def commit_group(engine: Engine, commit: GroupCommit, now: datetime) -> list[int] | None:
    """Apply ``commit`` atomically; the new outbox row ids, or None if the group moved on."""
    try:
        with engine.begin() as conn:
            if not _write_group(conn, commit):
                raise _GroupMoved(commit.group.group_key)
            ids = insert_notifications(conn, commit.notifications, now)
            by_integration = {
                n.integration: i for n, i in zip(commit.notifications, ids, strict=True)
            }
            if commit.members is not None:
                for entry in commit.log:
                    _write_log(conn, entry, by_integration.get(entry.integration))
    except _GroupMoved:
        return None
    return ids
