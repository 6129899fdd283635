"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

from store.errors import MigrationError, StoreUnavailable

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PG_CONNECT_TIMEOUT_S = 5
#: Per-connection page cache of SQLite stores, in KiB (SQLite's default is 2 MiB).
SQLITE_CACHE_KIB = 64 * 1024
#: WAL pages (4 KiB each) after which a committing connection checkpoints (default 1000).
#: 10,000 gave the writer alone a few percent more, but each checkpoint then wrote ~40 MB
#: and the collector's spool fsync waited behind it (p99 acknowledgement 60-70 ms vs
#: 30-45 ms at 2,000, bench/README.md "Ingestion").
SQLITE_CHECKPOINT_PAGES = 2_000


def create_store_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the settings Vigil relies on for each dialect.

    SQLite gets WAL (readers do not block the writer), a busy timeout (the dashboard, the
    collector and the scheduler share one file), and foreign keys.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: object, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # The collector's writer inserts thousands of rows a transaction into indexes
            # keyed by request id, which touch pages all over the index: a larger page
            # cache (up to 64 MiB, allocated as used) and checkpoints every ~8 MB of WAL
            # rather than every 4 MB write each hot page once per checkpoint rather than
            # once per transaction (bench/README.md, "Ingestion": writer 45k -> 80k rows/s).
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        if "connect_timeout" not in parsed.query:
            # Without it a partitioned network holds /readyz and the writer for the OS's TCP
            # timeout (minutes); the spool keeps accepting meanwhile, so fail fast instead.
            parsed = parsed.update_query_dict({"connect_timeout": str(PG_CONNECT_TIMEOUT_S)})
        url = parsed.render_as_string(hide_password=False)
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Run the Alembic migrations up to ``revision`` (idempotent; every head by default)."""
    from alembic import command

    try:
        command.upgrade(_alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        where = engine.url.render_as_string()  # hides the password
        raise MigrationError(f"migration failed on {where}: {cause}") from None


def head_revisions() -> set[str]:
    """The revisions the migration scripts lead to (what ``upgrade`` brings a database to)."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The Alembic revisions the database is at (empty for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        raise StoreUnavailable(f"cannot read the schema revision: {type(exc).__name__}") from None


def table_names(engine: Engine) -> set[str]:
    """Names of the tables that exist in the database."""
    return set(inspect(engine).get_table_names())
