"""Shared fixtures: a fixed clock, and migrated stores on SQLite and PostgreSQL.

PostgreSQL tests use the server at ``VIGIL_TEST_POSTGRES_URL`` (default: the local server at
127.0.0.1:5432, database ``test``). Each test session creates its own throwaway database there
and drops it at the end. When no server answers the tests skip with the reason, except under
``CI=true``, where an unreachable server fails them: CI must prove PostgreSQL works.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from store.db import create_store_engine, upgrade

POSTGRES_URL = os.environ.get(
    "VIGIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"

#: The fixed "now" tests start from; no test reads the wall clock.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def t0() -> datetime:
    return T0


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session; dropped afterwards."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {make_url(POSTGRES_URL).render_as_string()}: {type(exc).__name__}"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    name = f"vigil_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store: once on an SQLite file, once on PostgreSQL."""
    if request.param == "sqlite":
        eng = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    else:
        url = request.getfixturevalue("postgres_server_url")
        eng = create_store_engine(url)
        _reset_postgres(eng)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite store, for tests that are about logic rather than the database."""
    eng = create_store_engine(f"sqlite:///{tmp_path / 'vigil.db'}")
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
