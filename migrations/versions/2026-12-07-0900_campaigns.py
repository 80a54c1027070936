"""Campaigns, customers, custom events, campaign rules and their progress (the campaigns dialect).

Revision ID: 0016_campaigns
Revises: 0015_records
Create Date: 2026-12-07 09:00
"""

from __future__ import annotations

revision = "0016_campaigns"
down_revision = "0015_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
