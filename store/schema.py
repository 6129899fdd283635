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
    LargeBinary,
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
    # Added in 0002: the experiment arm and slice an event belongs to, and its trace.
    Column("variant", String(200), nullable=True),
    Column("experiment", String(200), nullable=True),
    Column("segment", JSON, nullable=True),
    Column("trace_id", String(64), nullable=True),
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

# Added in 0010: labels whose prediction never arrived within the grace period, moved out of
# ``labels`` (:mod:`store.label_orphans`) so they are counted, kept for audit, and no longer
# waited for.
orphaned_labels = Table(
    "orphaned_labels",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("request_id", String(200), nullable=False),
    Column("label", JSON, nullable=False),
    Column("ts", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("orphaned_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "request_id", name="uq_orphaned_labels_model_request_id"),
    Index("ix_orphaned_labels_model_orphaned_at", "model", "orphaned_at"),
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
    # Added in 0003: the dispatcher replica that claimed the row, and until when (a lease).
    Column("claimed_by", String(100), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
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

pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("pipeline", String(200), nullable=False),
    Column("run_id", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("rows", BigInteger, nullable=True),
    Column("output_freshness", UTCDateTime, nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("pipeline", "run_id", name="uq_pipeline_runs_pipeline_run_id"),
    Index("ix_pipeline_runs_pipeline_started", "pipeline", "started_at"),
)

# Added in 0003 (alert router): aggregation groups with their durable timers, the
# notification log (what each receiver integration was last told about each group), and
# silences.
alert_groups = Table(
    "alert_groups",
    metadata,
    Column("group_key", String(500), primary_key=True),
    Column("route_id", Text, nullable=False),
    Column("receiver", String(200), nullable=False),
    Column("labels", JSON, nullable=False),
    Column("members", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("next_flush_at", UTCDateTime, nullable=False),
    Column("last_flush_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_alert_groups_next_flush", "next_flush_at"),
)

notification_log = Table(
    "notification_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("group_key", String(500), nullable=False),
    Column("receiver", String(200), nullable=False),
    Column("integration", String(50), nullable=False),
    Column("firing", JSON, nullable=False),
    Column("resolved", JSON, nullable=False),
    Column("notified_at", UTCDateTime, nullable=False),
    Column("notification_id", BigId, nullable=True),
    UniqueConstraint("group_key", "receiver", "integration", name="uq_notification_log_target"),
)

silences = Table(
    "silences",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("matchers", JSON, nullable=False),
    Column("author", String(200), nullable=False),
    Column("comment", Text, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("expired_by", String(200), nullable=True),
    Index("ix_silences_ends_at", "ends_at"),
)

# Added in 0004 (traces): one row per OTLP span, unique on (trace_id, span_id) so a
# retried export or a replayed spool stores each span once.
spans = Table(
    "spans",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("trace_id", String(32), nullable=False),
    Column("span_id", String(16), nullable=False),
    Column("parent_span_id", String(16), nullable=True),
    Column("service", String(200), nullable=False),
    Column("operation", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("status", String(10), nullable=False),
    Column("model", String(200), nullable=True),
    Column("model_version", String(100), nullable=True),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("trace_id", "span_id", name="uq_spans_trace_id_span_id"),
    Index("ix_spans_service_operation_started", "service", "operation", "started_at"),
)

# Added in 0006 (incidents and audit): the source row an incident event was derived from
# (``alert:<id>:fired``, ``notification:<id>:sent``…), unique per incident, so the
# reconciling tick can run any number of times and record each fact once.
incident_events.append_column(Column("source", String(200), nullable=True))
Index(
    "uq_incident_events_incident_source",
    incident_events.c.incident_id,
    incident_events.c.source,
    unique=True,
)

# Added in 0006: the append-only audit log. Nothing updates or deletes its rows.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target", String(500), nullable=False),
    Column("reason", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_audit_log_at", "at"),
)

# Added in 0006: guarded actions (rollback, retrain). One row per (incident, action, target
# version), unique, so an incident never triggers the same action twice; the row is the
# durable state of its execution (awaiting_approval → pending → sent | failed, then
# verified | not_effective) and of its guards (cooldown and daily cap read past rows).
actions = Table(
    "actions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("incident_id", BigId, nullable=False),
    Column("alert_id", BigId, nullable=False),
    Column("policy", String(200), nullable=False),
    Column("action", String(50), nullable=False),
    Column("model", String(200), nullable=False),
    Column("target_version", String(100), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("webhook", String(200), nullable=False),
    Column("status", String(30), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("approved_by", String(200), nullable=True),
    Column("approved_at", UTCDateTime, nullable=True),
    Column("executed_at", UTCDateTime, nullable=True),
    Column("verify_until", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    UniqueConstraint(
        "incident_id", "action", "target_version", name="uq_actions_incident_action_version"
    ),
    Index("ix_actions_model_requested", "model", "requested_at"),
    Index("ix_actions_status", "status"),
)

# Added in 0011: API keys created at run time (``vigil keys``, ``/v1/admin/keys``). Only the
# SHA-256 digest of a key is kept; a key is never deleted, only revoked, so the audit log's
# references stay resolvable. Names are unique across live and revoked keys.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("key_sha256", String(64), nullable=False, unique=True),
    Column("scopes", JSON, nullable=False),
    Column("models", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("revoked_by", String(200), nullable=True),
)

# Added in 0008 (profiles): per model, version, feature and minute, a mergeable profile
# (:mod:`store.profile_records`). Collectors writing the same key merge into one row
# (:func:`store.profiles.upsert_profiles`).
feature_profiles = Table(
    "feature_profiles",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("version", String(100), nullable=False),
    Column("feature", String(200), nullable=False),
    Column("minute", UTCDateTime, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("nulls", BigInteger, nullable=False),
    Column("minimum", Float, nullable=True),
    Column("maximum", Float, nullable=True),
    Column("mean", Float, nullable=False),
    Column("m2", Float, nullable=False),
    Column("kll", LargeBinary, nullable=True),
    Column("categories", JSON, nullable=True),
    Column("frequent", LargeBinary, nullable=True),
    Column("histogram", JSON, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "version", "feature", "minute", name="uq_feature_profiles_key"),
    Index("ix_feature_profiles_model_minute", "model", "minute"),
)

# Added in 0008: a bounded uniform sample of raw rows per model and window.
profile_reservoirs = Table(
    "profile_reservoirs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("window_start", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("seen", BigInteger, nullable=False),
    Column("rows", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "window_start", name="uq_profile_reservoirs_model_window"),
)

# Added in 0008: the histogram bin edges fitted on each model's reference (written by the
# detectors when they load a reference, read by the collector to count values on them).
reference_bins = Table(
    "reference_bins",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("feature", String(200), nullable=False),
    Column("edges", JSON, nullable=False),
    Column("edges_id", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("fitted_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "feature", name="uq_reference_bins_model_feature"),
)

# Added in 0013: per-minute and per-hour counts of each prediction SLI series (see
# store/sli_rollups.py), so SLO windows of up to 30 days are sums of a few thousand rows
# instead of counts over every stored prediction.
sli_minutes = Table(
    "sli_minutes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("sli", String(100), nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("good", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    UniqueConstraint("model", "sli", "start", name="uq_sli_minutes_key"),
)

sli_hours = Table(
    "sli_hours",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("sli", String(100), nullable=False),
    Column("start", UTCDateTime, nullable=False),
    Column("good", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    UniqueConstraint("model", "sli", "start", name="uq_sli_hours_key"),
)

# Added in 0013: the contiguous range of minutes [rolled_from, rolled_to) each series'
# rollups cover; outside it, SLO counts read raw predictions.
sli_rollup_marks = Table(
    "sli_rollup_marks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("model", String(200), nullable=False),
    Column("sli", String(100), nullable=False),
    Column("rolled_from", UTCDateTime, nullable=False),
    Column("rolled_to", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("model", "sli", name="uq_sli_rollup_marks_model_sli"),
)
