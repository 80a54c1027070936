"""Room on each page for rows that are updated in place.

A stamp card's progress and an assignment's redemption change columns no index covers; with
free space on the page PostgreSQL writes the new version beside the old one (a HOT update)
and touches none of the table's indexes. Tables fill pages completely by default, so nearly
every such update had to write all indexes. Applies to pages written from now on.

Revision ID: 0005_update_in_place
Revises: 0004_challenges
Create Date: 2026-11-22 05:00
"""

from __future__ import annotations

from alembic import op

revision = "0005_update_in_place"
down_revision = "0004_challenges"
branch_labels = None
depends_on = None

# Percent of each page filled by inserts; the rest is kept for updated versions of its rows.
FILL = {"challenges": 70, "promotion_assignments": 85}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, percent in FILL.items():
        op.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in FILL:
        op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
