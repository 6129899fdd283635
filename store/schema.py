"""The SQL schema: every table Vigil keeps, in one place.

SQLAlchemy Core tables (not ORM classes): the collector bulk-inserts plain dicts, the
detectors read columns into numpy, and nothing needs identity maps. Alembic migrations in
``store/migrations`` create these tables; tests compare the two so they cannot drift apart.

Times are stored as timezone-aware UTC datetimes through :class:`UTCDateTime`, which
behaves the same on SQLite (no native time zone) and PostgreSQL (``timestamptz``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Integer primary keys that are BIGINT on PostgreSQL and INTEGER (rowid alias) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime that is always aware and in UTC when it comes back from the database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


models = Table(
    "models",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("task", String(50), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

predictions = Table(
    "predictions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("ts", UTCDateTime, nullable=False),
    Column("features", JSON, nullable=False),
    Column("prediction", JSON, nullable=True),
    Column("score", Float, nullable=True),
    Column("latency_ms", Float, nullable=True),
    Column("error", Text, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "request_id", name="uq_predictions_model_request_id"),
    Index("ix_predictions_model_ts", "model", "ts"),
)

labels = Table(
    "labels",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("label", JSON, nullable=False),
    Column("ts", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "request_id", name="uq_labels_model_request_id"),
)

signals = Table(
    "signals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("detector", String(100), nullable=False),
    Column("model", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("metric", String(100), nullable=False),
    Column("window_start", UTCDateTime, nullable=False),
    Column("window_end", UTCDateTime, nullable=False),
    Column("value", Float, nullable=True),
    Column("threshold", Float, nullable=True),
    Column("status", String(20), nullable=False),
    Column("sample_size", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint(
        "detector",
        "model",
        "subject",
        "window_end",
        name="uq_signals_detector_model_subject_end",
    ),
    Index("ix_signals_model_end", "model", "window_end"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False),
    Column("alertname", String(200), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("annotations", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_alerts_fingerprint_status", "fingerprint", "status"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("receiver", String(200), nullable=False),
    Column("integration", String(50), nullable=False),
    Column("group_key", String(500), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("response", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Index("ix_notifications_status_next", "status", "next_attempt_at"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("group_key", String(500), nullable=False),
    Column("title", String(500), nullable=False),
    Column("model", String(200), nullable=True),
    Column("severity", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime, nullable=True),
    Index("ix_incidents_group_status", "group_key", "status"),
)

incident_events = Table(
    "incident_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "incident_id",
        BigId,
        ForeignKey("incidents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(50), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("data", JSON, nullable=False),
)

job_state = Table(
    "job_state",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
