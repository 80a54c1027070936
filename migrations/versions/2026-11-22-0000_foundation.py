"""foundation

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-22 00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_table(
        "contact_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows", patron.db.types.Json, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", patron.db.types.Json, nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_imports")),
    )
    with op.batch_alter_table("contact_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_imports_status"), ["status"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_type", sa.String(length=50), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("mobile_phone", sa.String(length=20), nullable=True),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("member_number", sa.String(length=200), nullable=True),
        sa.Column("card_id", sa.String(length=200), nullable=True),
        sa.Column("attributes", patron.db.types.Json, nullable=False),
        sa.Column("preferences", patron.db.types.Json, nullable=False),
        sa.Column("consents", patron.db.types.Json, nullable=False),
        sa.Column("store_external_id", sa.String(length=200), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("card_id", name=op.f("uq_contacts_card_id")),
        sa.UniqueConstraint("email", name=op.f("uq_contacts_email")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contacts_external_id")),
        sa.UniqueConstraint("member_number", name=op.f("uq_contacts_member_number")),
        sa.UniqueConstraint("mobile_phone", name=op.f("uq_contacts_mobile_phone")),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("lease", sa.String(length=64), nullable=False),
        sa.Column("locked_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_headers", patron.db.types.Json, nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("completed_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("caller", "key", name=op.f("uq_idempotency_records_caller_key")),
    )
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_records_completed_on"), ["completed_on"], unique=False
        )

    op.create_table(
        "stores",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("external_id", name=op.f("uq_stores_external_id")),
    )


def downgrade() -> None:

    op.drop_table("stores")
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_records_completed_on"))

    op.drop_table("idempotency_records")
    op.drop_table("contacts")
    with op.batch_alter_table("contact_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_imports_status"))

    op.drop_table("contact_imports")
    op.drop_table("api_keys")
