"""profiles: per-minute feature profiles, row reservoirs, reference bin edges

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> store.schema.UTCDateTime:
    return store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feature_profiles",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("feature", sa.String(length=200), nullable=False),
        sa.Column("minute", _utc(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("nulls", sa.BigInteger(), nullable=False),
        sa.Column("minimum", sa.Float(), nullable=True),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("m2", sa.Float(), nullable=False),
        sa.Column("kll", sa.LargeBinary(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("frequent", sa.LargeBinary(), nullable=True),
        sa.Column("histogram", sa.JSON(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feature_profiles")),
        sa.UniqueConstraint(
            "model", "version", "feature", "minute", name="uq_feature_profiles_key"
        ),
    )
    op.create_index("ix_feature_profiles_model_minute", "feature_profiles", ["model", "minute"])
    op.create_table(
        "profile_reservoirs",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("window_start", _utc(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_reservoirs")),
        sa.UniqueConstraint("model", "window_start", name="uq_profile_reservoirs_model_window"),
    )
    op.create_table(
        "reference_bins",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("feature", sa.String(length=200), nullable=False),
        sa.Column("edges", sa.JSON(), nullable=False),
        sa.Column("edges_id", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("fitted_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_bins")),
        sa.UniqueConstraint("model", "feature", name="uq_reference_bins_model_feature"),
    )


def downgrade() -> None:
    op.drop_table("reference_bins")
    op.drop_table("profile_reservoirs")
    op.drop_index("ix_feature_profiles_model_minute", table_name="feature_profiles")
    op.drop_table("feature_profiles")
