"""alert router: outbox claims, aggregation groups, notification log, silences

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> store.schema.UTCDateTime:
    return store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    # ADD COLUMN of a nullable column is native on SQLite and PostgreSQL: no table rebuild.
    op.add_column("notifications", sa.Column("claimed_by", sa.String(length=100), nullable=True))
    op.add_column("notifications", sa.Column("claimed_until", _utc(), nullable=True))

    op.create_table(
        "alert_groups",
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("route_id", sa.Text(), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("next_flush_at", _utc(), nullable=False),
        sa.Column("last_flush_at", _utc(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_key", name=op.f("pk_alert_groups")),
    )
    op.create_index("ix_alert_groups_next_flush", "alert_groups", ["next_flush_at"])

    op.create_table(
        "notification_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("integration", sa.String(length=50), nullable=False),
        sa.Column("firing", sa.JSON(), nullable=False),
        sa.Column("resolved", sa.JSON(), nullable=False),
        sa.Column("notified_at", _utc(), nullable=False),
        sa.Column("notification_id", _ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_log")),
        sa.UniqueConstraint(
            "group_key", "receiver", "integration", name="uq_notification_log_target"
        ),
    )

    op.create_table(
        "silences",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("matchers", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("starts_at", _utc(), nullable=False),
        sa.Column("ends_at", _utc(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("expired_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silences")),
    )
    op.create_index("ix_silences_ends_at", "silences", ["ends_at"])


def downgrade() -> None:
    op.drop_index("ix_silences_ends_at", table_name="silences")
    op.drop_table("silences")
    op.drop_table("notification_log")
    op.drop_index("ix_alert_groups_next_flush", table_name="alert_groups")
    op.drop_table("alert_groups")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
