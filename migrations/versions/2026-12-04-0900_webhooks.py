"""Webhooks: endpoints, their deliveries and attempts, and the fan-out's place in the outbox.

Revision ID: 0012_webhooks
Revises: 0011_expiry_events
Create Date: 2026-12-04 09:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0012_webhooks"
down_revision = "0011_expiry_events"
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("event_types", patron.db.types.Json, nullable=False),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("previous_secret", sa.String(100), nullable=True),
        sa.Column("previous_secret_until", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(500), nullable=True),
        sa.Column("failing_since", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "endpoint_id",
            sa.Uuid(),
            sa.ForeignKey(
                "webhook_endpoints.id",
                ondelete="CASCADE",
                name="fk_webhook_deliveries_endpoint_id_webhook_endpoints",
            ),
            nullable=False,
        ),
        sa.Column("event_seq", sa.BigInteger(), nullable=True),
        sa.Column("fanout_seq", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.String(40), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("payload", patron.db.types.Json, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("endpoint_id", "fanout_seq", name="uq_webhook_deliveries_endpoint_id_fanout_seq"),
    )
    op.create_index(
        "ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_id_contact_id_event_seq",
        "webhook_deliveries",
        ["endpoint_id", "contact_id", "event_seq"],
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_id_created_on", "webhook_deliveries", ["endpoint_id", "created_on"]
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
        sa.Column(
            "delivery_id",
            sa.Uuid(),
            sa.ForeignKey(
                "webhook_deliveries.id",
                ondelete="CASCADE",
                name="fk_webhook_attempts_delivery_id_webhook_deliveries",
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempted_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.String(1024), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
    )
    op.create_index("ix_webhook_attempts_delivery_id_number", "webhook_attempts", ["delivery_id", "number"])
    # Which events have their deliveries: a flag per event (see models/outbox_event.py).
    with op.batch_alter_table("outbox_events") as batch:
        batch.add_column(
            sa.Column("fanned_out_at", patron.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_index(
        "ix_outbox_events_unfanned",
        "outbox_events",
        ["seq"],
        postgresql_where=sa.text("fanned_out_at IS NULL"),
        sqlite_where=sa.text("fanned_out_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_events_unfanned", "outbox_events")
    with op.batch_alter_table("outbox_events") as batch:
        batch.drop_column("fanned_out_at")
    op.drop_index("ix_webhook_attempts_delivery_id_number", "webhook_attempts")
    op.drop_table("webhook_attempts")
    op.drop_index("ix_webhook_deliveries_endpoint_id_created_on", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_endpoint_id_contact_id_event_seq", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
