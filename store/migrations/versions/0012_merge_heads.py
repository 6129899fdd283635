"""merge the profiles, orphaned-labels and API-keys branches into one head

Revision ID: 0012
Revises: 0008, 0010, 0011
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

revision = "0012"
down_revision = ("0008", "0010", "0011")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
