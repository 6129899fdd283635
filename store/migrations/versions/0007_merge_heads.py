"""merge the collector/traces and router/incidents branches into one head

Revision ID: 0007
Revises: 0004, 0006
Create Date: 2026-12-03 07:00:00

Later revisions each name 0007 (or a later single head) as their parent; ``store.db.upgrade``
still upgrades to ``heads`` so a branch added in parallel work applies too.
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0004", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
