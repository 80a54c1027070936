"""The events still to fan out by contact and seq: a delivery waits while its contact has an
earlier event whose deliveries are not there yet, and this is how the claim finds one.

Revision ID: 0022_unfanned_by_contact
Revises: 0021_record_icons
Create Date: 2026-12-07 10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_unfanned_by_contact"
down_revision = "0021_record_icons"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_unfanned_contact",
            ["contact_id", "seq"],
            unique=False,
            postgresql_where=sa.text("fanned_out_at IS NULL"),
            sqlite_where=sa.text("fanned_out_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_unfanned_contact")
