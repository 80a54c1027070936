"""Challenges, their checkpoint log, rewards and point accounts.

Revision ID: 0004_challenges
Revises: 0003_promotions
Create Date: 2026-11-22 04:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0004_challenges"
down_revision = "0003_promotions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge_definitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("required_checkpoints", sa.Integer(), nullable=False),
        sa.Column("expiration_months", sa.Integer(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("consent_required", sa.Boolean(), nullable=False),
        sa.Column("is_recurring", sa.Boolean(), nullable=False),
        sa.Column("assign_on", sa.Integer(), nullable=False),
        sa.Column("assign_on_amount", patron.db.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("article_filter", patron.db.types.Json, nullable=True),
        sa.Column("is_scheduled", sa.Boolean(), nullable=False),
        sa.Column("scheduled_from", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_to", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("rewards", patron.db.types.Json, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_by", sa.String(length=200), nullable=True),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_definitions")),
    )
    with op.batch_alter_table("challenge_definitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_definitions_assign_on"), ["assign_on"], unique=False)

    op.create_table(
        "point_definitions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_definitions")),
        sa.UniqueConstraint("name", name=op.f("uq_point_definitions_name")),
    )
    op.create_table(
        "challenge_checkpoints",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("receipt_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_challenge_checkpoints_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["challenge_definitions.id"],
            name=op.f("fk_challenge_checkpoints_definition_id_challenge_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_checkpoints")),
    )
    with op.batch_alter_table("challenge_checkpoints", schema=None) as batch_op:
        batch_op.create_index(
            "ix_challenge_checkpoints_contact_definition", ["contact_id", "definition_id"], unique=False
        )

    op.create_table(
        "challenges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("completed_checkpoints", sa.Integer(), nullable=False),
        sa.Column("required_checkpoints", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("started_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("latest_checkpoint_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_challenges_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["challenge_definitions.id"],
            name=op.f("fk_challenges_definition_id_challenge_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
        sa.UniqueConstraint(
            "contact_id", "definition_id", "cycle", name=op.f("uq_challenges_contact_id_definition_id_cycle")
        ),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index("ix_challenges_definition_id", ["definition_id"], unique=False)

    op.create_table(
        "point_accounts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("definition_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_point_accounts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["point_definitions.id"],
            name=op.f("fk_point_accounts_definition_id_point_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_accounts")),
        sa.UniqueConstraint(
            "contact_id", "definition_id", name=op.f("uq_point_accounts_contact_id_definition_id")
        ),
    )
    op.create_table(
        "rewards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("reward_type", sa.String(length=20), nullable=False),
        sa.Column("promotion_id", sa.String(length=64), nullable=True),
        sa.Column("points", patron.db.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("point_definition_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "point_transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("promotion_assignment_id", sa.String(length=64), nullable=True),
        sa.Column("details", patron.db.types.Json, nullable=False),
        sa.Column("issued_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_rewards_contact_id_contacts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
        sa.UniqueConstraint(
            "source_type",
            "source_id",
            "threshold",
            "period_key",
            "contact_id",
            name=op.f("uq_rewards_source_type_source_id_threshold_period_key_contact_id"),
        ),
    )
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.create_index("ix_rewards_contact_id_issued_on", ["contact_id", "issued_on"], unique=False)

    op.create_table(
        "point_transactions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("amount", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=1024), nullable=True),
        sa.Column("transaction_date", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_from", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retail_transaction_line_item_id", sa.String(length=200), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["point_accounts.id"],
            name=op.f("fk_point_transactions_account_id_point_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_point_transactions_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_transactions")),
    )
    with op.batch_alter_table("point_transactions", schema=None) as batch_op:
        batch_op.create_index("ix_point_transactions_account_id", ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("point_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_point_transactions_account_id")

    op.drop_table("point_transactions")
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_rewards_contact_id_issued_on")

    op.drop_table("rewards")
    op.drop_table("point_accounts")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index("ix_challenges_definition_id")

    op.drop_table("challenges")
    with op.batch_alter_table("challenge_checkpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_checkpoints_contact_definition")

    op.drop_table("challenge_checkpoints")
    op.drop_table("point_definitions")
    with op.batch_alter_table("challenge_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_definitions_assign_on"))

    op.drop_table("challenge_definitions")
