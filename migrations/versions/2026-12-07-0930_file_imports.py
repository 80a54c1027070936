"""File imports (XML and the drop folder) and bulk receipt batches.

Revision ID: 0019_file_imports
Revises: 0018_programme
Create Date: 2026-12-07 09:30
"""

from __future__ import annotations

revision = "0019_file_imports"
down_revision = "0018_programme"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
