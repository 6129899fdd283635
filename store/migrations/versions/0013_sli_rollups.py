"""SLI rollups: per-minute and per-hour counts of prediction SLIs, and their covered ranges

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> store.schema.UTCDateTime:
    return store.schema.UTCDateTime(timezone=True)


def _counts_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("sli", sa.String(length=100), nullable=False),
        sa.Column("start", _utc(), nullable=False),
        sa.Column("good", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("model", "sli", "start", name=f"uq_{name}_key"),
    )


def upgrade() -> None:
    _counts_table("sli_minutes")
    _counts_table("sli_hours")
    op.create_table(
        "sli_rollup_marks",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("sli", sa.String(length=100), nullable=False),
        sa.Column("rolled_from", _utc(), nullable=False),
        sa.Column("rolled_to", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sli_rollup_marks")),
        sa.UniqueConstraint("model", "sli", name="uq_sli_rollup_marks_model_sli"),
    )


def downgrade() -> None:
    op.drop_table("sli_rollup_marks")
    op.drop_table("sli_hours")
    op.drop_table("sli_minutes")
