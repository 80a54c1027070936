"""What a receipt did with each promotion assignment it named: redeemed it, or why not.

A receipt's `usedPromotions` now follows the redeem endpoint's rules, so an assignment it names
may stay unredeemed (expired, ended, not valid in the store's channel, redeemed already); the
link says which. Links made before have no outcome (NULL).

Revision ID: 0008_receipt_outcomes
Revises: 0007_card_room
Create Date: 2026-12-02 19:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_receipt_outcomes"
down_revision = "0007_card_room"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("promotion_assignment_receipts") as batch:
        batch.add_column(sa.Column("outcome", sa.String(60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("promotion_assignment_receipts") as batch:
        batch.drop_column("outcome")
