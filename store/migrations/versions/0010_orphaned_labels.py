"""orphaned labels: labels whose prediction did not arrive within the grace period

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> store.schema.UTCDateTime:
    return store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "orphaned_labels",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.String(length=200), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.Column("ts", _utc(), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("orphaned_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orphaned_labels")),
        sa.UniqueConstraint("model", "request_id", name="uq_orphaned_labels_model_request_id"),
    )
    op.create_index(
        "ix_orphaned_labels_model_orphaned_at", "orphaned_labels", ["model", "orphaned_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_orphaned_labels_model_orphaned_at", table_name="orphaned_labels")
    op.drop_table("orphaned_labels")
