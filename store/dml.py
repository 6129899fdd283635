"""Dialect-aware statements shared by the query modules."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError


def _insert_skipping_conflicts(conn: Connection, table: Table, conflict: Sequence[str]) -> Any:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` in ``conn``'s dialect."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    raise NotImplementedError(f"unsupported dialect {dialect}")  # only SQLite and PostgreSQL


def insert_ignoring_conflicts(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    conflict_columns: list[str],
) -> int:
    """Insert ``rows``, skipping those colliding on ``conflict_columns``; return how many went in.

    This is what makes ingestion idempotent: a replayed spool or a retried request inserts
    nothing twice, on SQLite and PostgreSQL alike.
    """
    if not rows:
        return 0
    stmt = _insert_skipping_conflicts(conn, table, conflict_columns)
    # RETURNING counts the rows that went in on both dialects, also for executemany,
    # where a driver's rowcount is unreliable.
    result = conn.execute(stmt.returning(table.c.id), rows)
    return len(result.all())


def insert_returning_keys(
    conn: Connection,
    table: Table,
    rows: list[dict[str, Any]],
    conflict_columns: Sequence[str],
) -> set[tuple[Any, ...]]:
    """Like :func:`insert_ignoring_conflicts`, but return the ``conflict_columns`` values of
    the rows that went in, so the caller knows which collided without reading first."""
    if not rows:
        return set()
    stmt = _insert_skipping_conflicts(conn, table, conflict_columns)
    keys = [table.c[name] for name in conflict_columns]
    return {tuple(row) for row in conn.execute(stmt.returning(*keys), rows)}


def store_json(value: Any) -> str:
    """``value`` as the JSON text a ``JSON`` column holds (what SQLAlchemy would bind).

    orjson for speed; the standard library for what orjson refuses (integers beyond 64 bits).
    Both produce JSON that reads back to equal values.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, allow_nan=False)


def sqlite_time(value: datetime) -> str:
    """An aware datetime as the text ``UTCDateTime`` stores on SQLite (naive UTC, microseconds).

    The same text SQLAlchemy writes, so range queries comparing it as text keep working.
    """
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        value = value.astimezone(UTC)
    # SQLAlchemy's own storage format of SQLite DATETIME; %-formatting is a third faster
    # than ``isoformat`` of an aware datetime, and this runs once per event.
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
    )


def insert_tuples_ignoring_conflicts(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_columns: Sequence[str],
) -> int:
    """Bulk-insert pre-encoded ``rows`` (one value per name in ``columns``), skipping those
    colliding on ``conflict_columns``; return how many went in. All in ``conn``'s transaction.

    The fast path of ingestion: the caller has already turned each row into the driver's
    values (JSON columns as text; on SQLite, times as :func:`sqlite_time` text), so no
    per-row work is left to SQLAlchemy. SQLite gets one ``executemany`` of ``INSERT ... ON
    CONFLICT DO NOTHING`` (its change count is the rows inserted). PostgreSQL gets ``COPY``
    into a temporary table (created once per connection, emptied after each use) and one
    ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``, which also skips a row repeated within
    ``rows`` (the first one wins, on both dialects). Driver errors are raised as
    SQLAlchemy's ``DBAPIError``, like every other statement's.
    """
    return _insert_tuples(conn, table, columns, rows, conflict_columns, returning=False)[0]


def inserted_positions(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_columns: Sequence[str],
) -> list[int]:
    """Like :func:`insert_tuples_ignoring_conflicts`, but return the positions in ``rows`` of
    the rows that went in (the first of each ``conflict_columns`` key not stored before), so
    that what the caller derives from them in the same transaction counts each stored row
    once, however often it was sent or replayed.

    SQLite: when the change count falls short of ``rows``, the keys that went in are read
    back from the table's last rowids (this transaction has held the write lock since its
    first insert, and a new rowid is one above the largest). PostgreSQL: ``RETURNING``.
    """
    count, keys = _insert_tuples(conn, table, columns, rows, conflict_columns, returning=True)
    if count == len(rows):
        return list(range(len(rows)))
    if keys is None:  # SQLite, and some row was skipped
        names = ", ".join(conflict_columns)
        last = f"SELECT {names} FROM {table.name} ORDER BY rowid DESC LIMIT {int(count)}"
        keys = {tuple(key) for key in conn.exec_driver_sql(last)}
    at = [list(columns).index(name) for name in conflict_columns]
    positions = []
    for position, row in enumerate(rows):
        key = tuple(row[i] for i in at)
        if key in keys:
            keys.discard(key)  # a key repeated within ``rows`` went in once: the first
            positions.append(position)
    return positions


def _insert_tuples(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict_columns: Sequence[str],
    *,
    returning: bool,
) -> tuple[int, set[tuple[Any, ...]] | None]:
    """Rows inserted, and with ``returning`` on PostgreSQL their conflict keys (None on
    SQLite, where the caller reads them back only when some row was skipped)."""
    if not rows:
        return 0, set()
    names = ", ".join(columns)
    target = ", ".join(conflict_columns)
    dialect = conn.dialect.name
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if dialect == "sqlite":
        marks = ", ".join("?" * len(columns))
        sql = (
            f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT ({target}) DO NOTHING"
        )
        # The driver's own executemany: it takes rows as lists too (spool records hold
        # lists), which SQLAlchemy's would refuse, and binds them with no layer between.
        sqlite_cursor: Any = dbapi.cursor()
        try:
            sqlite_cursor.executemany(sql, rows)
            return int(sqlite_cursor.rowcount), None
        except conn.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(
                sql, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
            ) from exc
        finally:
            sqlite_cursor.close()
    if dialect != "postgresql":  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported dialect {dialect}")
    staging = f"vigil_staging_{table.name}"
    statements = (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} AS "
        f"SELECT {names} FROM {table.name} WITH NO DATA",
        f"COPY {staging} ({names}) FROM STDIN",
        f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging} "
        f"ON CONFLICT ({target}) DO NOTHING" + (f" RETURNING {target}" if returning else ""),
    )
    cursor: Any = dbapi.cursor()  # a psycopg cursor: it has copy()
    try:
        cursor.execute(statements[0])
        with cursor.copy(statements[1]) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(statements[2])
        inserted = int(cursor.rowcount)
        keys = {tuple(key) for key in cursor.fetchall()} if returning else None
        cursor.execute(f"TRUNCATE {staging}")
        return inserted, keys
    except conn.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            statements[1], None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
        ) from exc
    finally:
        cursor.close()
