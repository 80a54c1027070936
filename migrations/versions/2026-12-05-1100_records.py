"""The record dialect: challenges and streaks, their milestones, the log ledger, each
member's progress per window or run, and coupon codes handed out as rewards (with the reward
log's coupon code and expiry).

Revision ID: 0015_records
Revises: 0014_pending_deliveries
Create Date: 2026-12-05 11:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0015_records"
down_revision = "0014_pending_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coupons",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("reward_id", sa.Uuid(), nullable=False),
        sa.Column("issued_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("redeemed_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_coupons")),
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.create_index("ix_coupons_contact_id", ["contact_id"], unique=False)

    op.create_table(
        "record_definitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completion_target", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("aggregation_method", sa.String(length=8), nullable=False),
        sa.Column("aggregation_period", sa.String(length=8), nullable=False),
        sa.Column("aggregation_target", patron.db.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("eud", patron.db.types.Json, nullable=False),
        sa.Column("eud_translations", patron.db.types.Json, nullable=False),
        sa.Column("icon_type", sa.String(length=40), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_definitions")),
    )
    with op.batch_alter_table("record_definitions", schema=None) as batch_op:
        batch_op.create_index("ix_record_definitions_kind_status", ["kind", "status"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=False),
        sa.Column("target", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reward", patron.db.types.Json, nullable=False),
        sa.Column("eud", patron.db.types.Json, nullable=False),
        sa.Column("eud_translations", patron.db.types.Json, nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["record_definitions.id"],
            name=op.f("fk_milestones_definition_id_record_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index("ix_milestones_definition_id", ["definition_id"], unique=False)

    op.create_table(
        "record_logs",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("activity_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activity_id", sa.String(length=256), nullable=True),
        sa.Column("unique_identifier", sa.String(length=256), nullable=False),
        sa.Column("activity_value", patron.db.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_record_logs_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["record_definitions.id"],
            name=op.f("fk_record_logs_definition_id_record_definitions"),
        ),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_record_logs")),
        sa.UniqueConstraint(
            "contact_id",
            "definition_id",
            "unique_identifier",
            name=op.f("uq_record_logs_contact_id_definition_id_unique_identifier"),
        ),
    )
    with op.batch_alter_table("record_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_record_logs_definition_id_contact_id_activity_at",
            ["definition_id", "contact_id", "activity_at"],
            unique=False,
        )
        batch_op.create_index("ix_record_logs_id", ["id"], unique=False)

    op.create_table(
        "record_progress",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("period_start", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("period_value", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("run", sa.Integer(), nullable=False),
        sa.Column("end_told_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_record_progress_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["record_definitions.id"],
            name=op.f("fk_record_progress_definition_id_record_definitions"),
        ),
        sa.PrimaryKeyConstraint("contact_id", "definition_id", "period_key", name=op.f("pk_record_progress")),
    )
    with op.batch_alter_table("record_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_record_progress_definition_id_status", ["definition_id", "status"], unique=False
        )
        batch_op.create_index("ix_record_progress_id", ["id"], unique=False)
        batch_op.create_index(
            "ix_record_progress_open_windows",
            ["period_end"],
            unique=False,
            postgresql_where=sa.text("status = 'in_progress' AND end_told_on IS NULL"),
            sqlite_where=sa.text("status = 'in_progress' AND end_told_on IS NULL"),
        )

    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coupon_code", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("expires_on", patron.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_column("expires_on")
        batch_op.drop_column("coupon_code")

    with op.batch_alter_table("record_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_record_progress_open_windows")
        batch_op.drop_index("ix_record_progress_id")
        batch_op.drop_index("ix_record_progress_definition_id_status")

    op.drop_table("record_progress")
    with op.batch_alter_table("record_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_record_logs_id")
        batch_op.drop_index("ix_record_logs_definition_id_contact_id_activity_at")

    op.drop_table("record_logs")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_definition_id")

    op.drop_table("milestones")
    with op.batch_alter_table("record_definitions", schema=None) as batch_op:
        batch_op.drop_index("ix_record_definitions_kind_status")

    op.drop_table("record_definitions")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index("ix_coupons_contact_id")

    op.drop_table("coupons")
