"""The console's sessions and the keys' allowed origins for the widget.

Revision ID: 0020_console
Revises: 0019_file_imports
Create Date: 2026-12-07 09:40
"""

from __future__ import annotations

revision = "0020_console"
down_revision = "0019_file_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
