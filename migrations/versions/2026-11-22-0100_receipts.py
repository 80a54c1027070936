"""receipts

Revision ID: 0002_receipts
Revises: 0001_foundation
Create Date: 2026-11-22 10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0002_receipts"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("article_number", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("article_group", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("attributes", patron.db.types.Json, nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("article_number", name=op.f("uq_articles_article_number")),
    )
    op.create_table(
        "receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unique_receipt_id", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("store_external_id", sa.String(length=200), nullable=False),
        sa.Column("receipt_number", sa.String(length=200), nullable=False),
        sa.Column("created_date", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_gross_price", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("exchange_rate_to_group_currency", sa.String(length=40), nullable=True),
        sa.Column("used_promotions", patron.db.types.Json, nullable=False),
        sa.Column("extra_data", patron.db.types.Json, nullable=True),
        sa.Column("recorded_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_receipts_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("unique_receipt_id", name=op.f("uq_receipts_unique_receipt_id")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receipts_contact_id_created_date", ["contact_id", "created_date"], unique=False
        )

    op.create_table(
        "receipt_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=True),
        sa.Column("article_number", sa.String(length=200), nullable=False),
        sa.Column("article_name", sa.String(length=500), nullable=False),
        sa.Column("article_group", sa.String(length=200), nullable=True),
        sa.Column("quantity", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("gross_paid_price", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("tax_amount", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("tax_percent", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("discounts", patron.db.types.Json, nullable=False),
        sa.Column("extra_data", patron.db.types.Json, nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_lines_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_lines")),
    )
    with op.batch_alter_table("receipt_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_lines_receipt_id"), ["receipt_id"], unique=False)

    op.create_table(
        "receipt_payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("value", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_payments_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_payments")),
    )
    with op.batch_alter_table("receipt_payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_payments_receipt_id"), ["receipt_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("receipt_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_payments_receipt_id"))

    op.drop_table("receipt_payments")
    with op.batch_alter_table("receipt_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_lines_receipt_id"))

    op.drop_table("receipt_lines")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_contact_id_created_date")

    op.drop_table("receipts")
    op.drop_table("articles")
