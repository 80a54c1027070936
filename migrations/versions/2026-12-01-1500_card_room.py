"""More room on each page of challenges for the next versions of its cards.

Every checkpoint rewrites a card, and a checkpoint batch rewrites a thousand at once. At 70 %
fill a third of those rewrites found no room on the card's page: PostgreSQL wrote the new
version elsewhere and added it to all three of the table's indexes, under the locks the next
batch waits for. At 50 % a page keeps room for its cards' next versions until pruning frees
the old ones, so the rewrites stay on the page (HOT) and touch no index. The table takes up to
twice the space. Applies to pages written from now on.

Revision ID: 0007_card_room
Revises: 0006_live_contacts
Create Date: 2026-12-01 15:00
"""

from __future__ import annotations

from alembic import op

revision = "0007_card_room"
down_revision = "0006_live_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE challenges SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE challenges SET (fillfactor = 70)")
