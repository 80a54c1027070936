"""Pending deliveries indexed apart: a worker's claim walks only the deliveries still to send
(in due order), and the per-contact order check looks only at a contact's pending ones,
however many finished deliveries the table keeps.

Revision ID: 0014_pending_deliveries
Revises: 0013_sealed_key_secrets
Create Date: 2026-12-05 10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_pending_deliveries"
down_revision = "0013_sealed_key_secrets"
branch_labels = None
depends_on = None

_PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.drop_index("ix_webhook_deliveries_status_next_attempt_at", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_endpoint_id_contact_id_event_seq", table_name="webhook_deliveries")
    op.create_index(
        "ix_webhook_deliveries_pending_due",
        "webhook_deliveries",
        ["next_attempt_at", "event_seq"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )
    op.create_index(
        "ix_webhook_deliveries_pending_per_contact",
        "webhook_deliveries",
        ["endpoint_id", "contact_id", "event_seq"],
        postgresql_where=_PENDING,
        sqlite_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_pending_per_contact", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_pending_due", table_name="webhook_deliveries")
    op.create_index(
        "ix_webhook_deliveries_endpoint_id_contact_id_event_seq",
        "webhook_deliveries",
        ["endpoint_id", "contact_id", "event_seq"],
    )
    op.create_index(
        "ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries", ["status", "next_attempt_at"]
    )
