"""Engage interactions and their schemas, orders, carts and product views.

Revision ID: 0017_engage_activity
Revises: 0016_campaigns
Create Date: 2026-12-07 09:10
"""

from __future__ import annotations

revision = "0017_engage_activity"
down_revision = "0016_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
