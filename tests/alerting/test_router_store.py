"""The router's tables on SQLite and PostgreSQL: migration 0003 matches the schema, a group
commit is all or nothing, and silences keep their history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from store.alert_groups import (
    GroupCommit,
    GroupRecord,
    LogEntry,
    commit_group,
    load_groups,
    load_log,
)
from store.notifications import NewNotification, list_notifications
from store.schema import metadata
from store.silences import create_silence, expire_silence, list_silences

ROUTER_TABLES = {"alert_groups", "notification_log", "silences", "notifications"}


def _tables(diff: Any) -> set[str]:
    """Table names a compare_metadata entry touches (entries nest lists of tuples)."""
    found: set[str] = set()
    for part in diff if isinstance(diff, list | tuple) else [diff]:
        if isinstance(part, list | tuple):
            found |= _tables(part)
        elif hasattr(part, "table") and hasattr(part.table, "name"):
            found.add(part.table.name)
        elif hasattr(part, "name") and hasattr(part, "columns"):
            found.add(part.name)
        elif isinstance(part, str) and part in ROUTER_TABLES:
            found.add(part)
    return found


def test_migration_0003_creates_exactly_what_the_schema_declares(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if _tables(d) & ROUTER_TABLES] == []


def group(t0: datetime, members: tuple[str, ...]) -> GroupRecord:
    return GroupRecord("g", "{}", "oncall", {"alertname": "X"}, members, t0, t0, None, 0)


def test_a_group_commit_on_a_stale_version_writes_nothing(engine: Engine, t0: datetime) -> None:
    assert commit_group(engine, GroupCommit(group(t0, ("a",)), None, ("a",)), t0) == []
    [stored] = load_groups(engine).values()
    page = NewNotification("oncall", "log[0]", "g", "firing", {"alerts": []})
    entry = LogEntry("g", "oncall", "log[0]", frozenset({"a"}), frozenset(), t0)
    fresh = GroupCommit(group(t0, ("a",)), stored.version, ("a",), [entry], [page])
    stale = GroupCommit(group(t0, ("a", "b")), stored.version, ("a", "b"), [entry], [page])
    assert len(commit_group(engine, fresh, t0) or []) == 1
    assert commit_group(engine, stale, t0) is None
    assert commit_group(engine, GroupCommit(group(t0, ("a",)), None, ("a",)), t0) is None
    assert len(list_notifications(engine)) == 1
    assert load_groups(engine)["g"].members == ("a",)
    assert set(load_log(engine)) == {("g", "oncall", "log[0]")}
    ended = GroupCommit(group(t0, ()), load_groups(engine)["g"].version, None)
    assert commit_group(engine, ended, t0) == []
    assert load_groups(engine) == {} and load_log(engine) == {}


def test_silences_move_from_pending_to_active_to_expired(engine: Engine, t0: datetime) -> None:
    hour = timedelta(hours=1)
    later = create_silence(
        engine, ['a="1"'], "ana", "maintenance", t0 + hour, t0 + 2 * hour, "k", t0
    )
    now = create_silence(engine, ['b="2"'], "ana", "retraining", t0, t0 + hour, "k", t0)
    assert [s.id for s in list_silences(engine, t0, "pending")] == [later.id]
    assert [s.id for s in list_silences(engine, t0, "active")] == [now.id]
    expired = expire_silence(engine, later.id, "ops", t0 + timedelta(minutes=5))
    assert expired is not None
    assert (expired.starts_at, expired.ends_at, expired.expired_by) == (
        t0 + timedelta(minutes=5),
        t0 + timedelta(minutes=5),
        "ops",
    )
    assert expired.state(t0 + timedelta(minutes=5)) == "expired"
    assert expire_silence(engine, "missing", "ops", t0) is None
    assert {s.id for s in list_silences(engine, t0 + 3 * hour, "expired")} == {later.id, now.id}
