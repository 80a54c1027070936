"""Earning rules, returns that take back points, segments and assignment jobs.

Revision ID: 0018_programme
Revises: 0017_engage_activity
Create Date: 2026-12-07 09:20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0018_programme"
down_revision = "0017_engage_activity"
branch_labels = None
depends_on = None

_UTC = patron.db.types.UTCDateTime(timezone=True)
_MONEY = patron.db.types.Money(precision=18, scale=4)
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("point_definitions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allow_negative_balance", sa.Boolean(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("receipt_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receipt_lines_article_number",
            ["article_number"],
            unique=False,
            postgresql_include=["contact_id", "receipt_id", "type"],
        )
        batch_op.create_index(
            "ix_receipt_lines_article_group",
            ["article_group"],
            unique=False,
            postgresql_include=["contact_id", "receipt_id", "type", "article_number"],
            postgresql_where=sa.text("article_group IS NOT NULL"),
            sqlite_where=sa.text("article_group IS NOT NULL"),
        )

    op.create_table(
        "point_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("points_per_unit", _MONEY, nullable=False),
        sa.Column("article_filter", patron.db.types.Json, nullable=True),
        sa.Column("store_external_ids", patron.db.types.Json, nullable=False),
        sa.Column("multiplier", _MONEY, nullable=True),
        sa.Column("multiplier_from", sa.Date(), nullable=True),
        sa.Column("multiplier_to", sa.Date(), nullable=True),
        sa.Column("multiplier_weekdays", patron.db.types.Json, nullable=False),
        sa.Column("minimum_receipt_total", _MONEY, nullable=True),
        sa.Column("pending_days", sa.Integer(), nullable=True),
        sa.Column("expiry_months", sa.Integer(), nullable=True),
        sa.Column("created_on", _UTC, nullable=False),
        sa.Column("modified_on", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["point_definitions.id"],
            name=op.f("fk_point_rules_definition_id_point_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_rules")),
    )
    with op.batch_alter_table("point_rules", schema=None) as batch_op:
        batch_op.create_index("ix_point_rules_definition_id", ["definition_id"], unique=False)

    op.create_table(
        "point_earnings",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("line_position", sa.Integer(), nullable=False),
        sa.Column("definition_id", _ID, nullable=False),
        sa.Column("article_number", sa.String(length=200), nullable=False),
        sa.Column("line_amount", _MONEY, nullable=False),
        sa.Column("returned_amount", _MONEY, nullable=False),
        sa.Column("points", _MONEY, nullable=False),
        sa.Column("taken_back", _MONEY, nullable=False),
        sa.Column("valid_from", _UTC, nullable=False),
        sa.Column("valid_to", _UTC, nullable=True),
        sa.Column("earned_on", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["point_rules.id"], name=op.f("fk_point_earnings_rule_id_point_rules")
        ),
        sa.PrimaryKeyConstraint(
            "contact_id", "receipt_id", "rule_id", "line_position", name=op.f("pk_point_earnings")
        ),
    )
    with op.batch_alter_table("point_earnings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_point_earnings_contact_article", ["contact_id", "article_number"], unique=False
        )

    op.create_table(
        "points_owed",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", _ID, nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("modified_on", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("contact_id", "definition_id", name=op.f("pk_points_owed")),
    )

    op.create_table(
        "segments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.Column("rule", patron.db.types.Json, nullable=False),
        sa.Column("refresh_minutes", sa.Integer(), nullable=False),
        sa.Column("refresh_due_on", _UTC, nullable=False),
        sa.Column("refreshed_on", _UTC, nullable=True),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("created_on", _UTC, nullable=False),
        sa.Column("modified_on", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
    )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index("ix_segments_refresh_due_on", ["refresh_due_on"], unique=False)

    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_segment_members_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("segment_id", "contact_id", name=op.f("pk_segment_members")),
    )

    op.create_table(
        "assignment_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("promotion_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_per_second", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("assigned", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Uuid(), nullable=True),
        sa.Column("lease_until", _UTC, nullable=True),
        sa.Column("error", sa.String(length=1024), nullable=True),
        sa.Column("created_on", _UTC, nullable=False),
        sa.Column("started_on", _UTC, nullable=True),
        sa.Column("finished_on", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["promotion_id"], ["promotions.id"], name=op.f("fk_assignment_jobs_promotion_id_promotions")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_assignment_jobs_segment_id_segments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_jobs")),
    )
    with op.batch_alter_table("assignment_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_jobs_status", ["status"], unique=False)

    op.create_table(
        "segment_assignments",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("promotion_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_on", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("contact_id", "promotion_id", name=op.f("pk_segment_assignments")),
    )


def downgrade() -> None:
    op.drop_table("segment_assignments")
    with op.batch_alter_table("assignment_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_jobs_status")
    op.drop_table("assignment_jobs")
    op.drop_table("segment_members")
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index("ix_segments_refresh_due_on")
    op.drop_table("segments")
    op.drop_table("points_owed")
    with op.batch_alter_table("point_earnings", schema=None) as batch_op:
        batch_op.drop_index("ix_point_earnings_contact_article")
    op.drop_table("point_earnings")
    with op.batch_alter_table("point_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_point_rules_definition_id")
    op.drop_table("point_rules")
    with op.batch_alter_table("receipt_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_lines_article_group")
        batch_op.drop_index("ix_receipt_lines_article_number")
    with op.batch_alter_table("point_definitions", schema=None) as batch_op:
        batch_op.drop_column("allow_negative_balance")
