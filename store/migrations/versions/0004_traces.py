"""traces: the spans table of OTLP/HTTP trace ingestion

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spans",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("parent_span_id", sa.String(length=16), nullable=True),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=200), nullable=False),
        sa.Column("started_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("model_version", sa.String(length=100), nullable=True),
        sa.Column("received_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spans")),
        sa.UniqueConstraint("trace_id", "span_id", name="uq_spans_trace_id_span_id"),
    )
    op.create_index(
        "ix_spans_service_operation_started",
        "spans",
        ["service", "operation", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_spans_service_operation_started", table_name="spans")
    op.drop_table("spans")
