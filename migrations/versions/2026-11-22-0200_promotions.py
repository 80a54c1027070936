"""promotions

Revision ID: 0003_promotions
Revises: 0002_receipts
Create Date: 2026-11-22 03:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0003_promotions"
down_revision = "0002_receipts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "promotions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("validity_unit", sa.String(length=10), nullable=True),
        sa.Column("validity_amount", sa.Integer(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("starts_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heading", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("image_url", sa.String(length=2000), nullable=True),
        sa.Column("redemption_channels", patron.db.types.Json, nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_promotions_external_id")),
    )
    op.create_table(
        "promotion_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("promotion_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("redeemed_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("redemption_channel", sa.String(length=10), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_promotion_assignments_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["promotion_id"], ["promotions.id"], name=op.f("fk_promotion_assignments_promotion_id_promotions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion_assignments")),
    )
    with op.batch_alter_table("promotion_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_promotion_assignments_contact_assigned", ["contact_id", "assigned_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_promotion_assignments_promotion_id"), ["promotion_id"], unique=False
        )

    op.create_table(
        "promotion_assignment_receipts",
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("linked_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["promotion_assignments.id"],
            name=op.f("fk_promotion_assignment_receipts_assignment_id_promotion_assignments"),
        ),
        sa.PrimaryKeyConstraint("assignment_id", "receipt_id", name=op.f("pk_promotion_assignment_receipts")),
    )
    with op.batch_alter_table("promotion_assignment_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_promotion_assignment_receipts_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_promotion_assignment_receipts_receipt_id"), ["receipt_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("promotion_assignment_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promotion_assignment_receipts_receipt_id"))
        batch_op.drop_index(batch_op.f("ix_promotion_assignment_receipts_contact_id"))

    op.drop_table("promotion_assignment_receipts")
    with op.batch_alter_table("promotion_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_promotion_assignments_promotion_id"))
        batch_op.drop_index("ix_promotion_assignments_contact_assigned")

    op.drop_table("promotion_assignments")
    op.drop_table("promotions")
