"""Earning rules, returns that take back points, segments and assignment jobs.

Revision ID: 0018_programme
Revises: 0017_engage_activity
Create Date: 2026-12-07 09:20
"""

from __future__ import annotations

revision = "0018_programme"
down_revision = "0017_engage_activity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
