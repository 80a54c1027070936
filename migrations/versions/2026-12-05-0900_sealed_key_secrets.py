"""Sealed key secrets: each new API key keeps its secret sealed (AES-GCM), so Patron can check
the HMAC of an end-user token the retailer signed with it; and the sealing key generated for a
deployment that sets no PATRON_SECRET_KEY. Keys made before have none (NULL): they still
authenticate, but tokens they sign are refused until a new key is made.

Revision ID: 0013_sealed_key_secrets
Revises: 0012_webhooks
Create Date: 2026-12-05 09:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0013_sealed_key_secrets"
down_revision = "0012_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("sealed_secret", sa.String(200), nullable=True))
    op.create_table(
        "sealing_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sealing_keys")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("sealed_secret")
