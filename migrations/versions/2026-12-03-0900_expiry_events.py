"""Expiry events are told once: a challenge past its expirationMonths and a point transaction
past its validTo note when their `challenge.expired` / `points.expired` event was written
(set by the conditional update that claims them, in the transaction writing the event).

Revision ID: 0011_expiry_events
Revises: 0010_outbox
Create Date: 2026-12-03 09:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0011_expiry_events"
down_revision = "0010_outbox"
branch_labels = None
depends_on = None

_UNTOLD = {
    "challenges": ("ends_on", "ix_challenges_expiry_untold"),
    "point_transactions": ("valid_to", "ix_point_transactions_expiry_untold"),
}


def upgrade() -> None:
    for table, (ends, index) in _UNTOLD.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("expiry_told_on", patron.db.types.UTCDateTime(timezone=True), nullable=True)
            )
        # What a worker looks for: ends that are not told yet, oldest first.
        where = sa.text(f"{ends} IS NOT NULL AND expiry_told_on IS NULL")
        op.create_index(index, table, [ends], postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    for table, (_, index) in _UNTOLD.items():
        op.drop_index(index, table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("expiry_told_on")
