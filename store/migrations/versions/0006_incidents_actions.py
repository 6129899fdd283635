"""incidents and actions: incident event sources, the audit log, guarded actions

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> store.schema.UTCDateTime:
    return store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    # A nullable ADD COLUMN and a CREATE INDEX are native on SQLite and PostgreSQL.
    op.add_column("incident_events", sa.Column("source", sa.String(length=200), nullable=True))
    op.create_index(
        "uq_incident_events_incident_source",
        "incident_events",
        ["incident_id", "source"],
        unique=True,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "actions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("alert_id", _ID, nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("target_version", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("webhook", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_at", _utc(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_at", _utc(), nullable=True),
        sa.Column("executed_at", _utc(), nullable=True),
        sa.Column("verify_until", _utc(), nullable=True),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint(
            "incident_id", "action", "target_version", name="uq_actions_incident_action_version"
        ),
    )
    op.create_index("ix_actions_model_requested", "actions", ["model", "requested_at"])
    op.create_index("ix_actions_status", "actions", ["status"])


def downgrade() -> None:
    op.drop_index("ix_actions_status", table_name="actions")
    op.drop_index("ix_actions_model_requested", table_name="actions")
    op.drop_table("actions")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("uq_incident_events_incident_source", table_name="incident_events")
    with op.batch_alter_table("incident_events") as batch_op:
        batch_op.drop_column("source")
