"""Dialect-aware statements shared by the query modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


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
    dialect = conn.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"unsupported dialect {dialect}")
    # RETURNING counts the rows that went in on both dialects, also for executemany,
    # where a driver's rowcount is unreliable.
    result = conn.execute(stmt.returning(table.c.id), rows)
    return len(result.all())
