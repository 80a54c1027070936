"""The outbox: events written in the transaction of the change they tell (docs/WEBHOOKS.md).

Revision ID: 0010_outbox
Revises: 0009_key_rates
Create Date: 2026-12-03 07:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0010_outbox"
down_revision = "0009_key_rates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("occurred_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("data", patron.db.types.Json, nullable=False),
    )
    op.create_index("ix_outbox_events_contact_id_seq", "outbox_events", ["contact_id", "seq"])
    op.create_index("ix_outbox_events_occurred_at", "outbox_events", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_events_occurred_at", "outbox_events")
    op.drop_index("ix_outbox_events_contact_id_seq", "outbox_events")
    op.drop_table("outbox_events")
