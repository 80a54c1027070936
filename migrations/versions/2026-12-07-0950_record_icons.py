"""Record definitions' uploaded icons.

Revision ID: 0021_record_icons
Revises: 0020_console
Create Date: 2026-12-07 09:50
"""

from __future__ import annotations

revision = "0021_record_icons"
down_revision = "0020_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
