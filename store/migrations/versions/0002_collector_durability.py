"""collector durability: prediction context columns and pipeline runs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN of a nullable column is native on SQLite and PostgreSQL: no table rebuild.
    op.add_column("predictions", sa.Column("variant", sa.String(length=200), nullable=True))
    op.add_column("predictions", sa.Column("experiment", sa.String(length=200), nullable=True))
    op.add_column("predictions", sa.Column("segment", sa.JSON(), nullable=True))
    op.add_column("predictions", sa.Column("trace_id", sa.String(length=64), nullable=True))

    op.create_table(
        "pipeline_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("pipeline", sa.String(length=200), nullable=False),
        sa.Column("run_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("output_freshness", store.schema.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
        sa.UniqueConstraint("pipeline", "run_id", name="uq_pipeline_runs_pipeline_run_id"),
    )
    op.create_index(
        "ix_pipeline_runs_pipeline_started",
        "pipeline_runs",
        ["pipeline", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_pipeline_runs_pipeline_started", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    with op.batch_alter_table("predictions") as batch_op:
        batch_op.drop_column("trace_id")
        batch_op.drop_column("segment")
        batch_op.drop_column("experiment")
        batch_op.drop_column("variant")
