"""Campaigns, customers, custom events, campaign rules and their progress (the campaigns dialect).

Revision ID: 0016_campaigns
Revises: 0015_records
Create Date: 2026-12-07 09:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0016_campaigns"
down_revision = "0015_records"
branch_labels = None
depends_on = None

_OPEN_WINDOWS = "status = 'active' AND end_time IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_campaigns_status", ["status"], unique=False)

    op.create_table(
        "campaign_rules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("action_type", sa.String(length=3), nullable=False),
        sa.Column("time_duration", sa.Integer(), nullable=True),
        sa.Column("reward", patron.db.types.Json, nullable=False),
        sa.Column("retired_on", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_rules_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_rules")),
    )
    with op.batch_alter_table("campaign_rules", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_rules_campaign_id", ["campaign_id"], unique=False)

    op.create_table(
        "campaign_actions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("aggregation", sa.String(length=8), nullable=False),
        sa.Column("property", sa.String(length=128), nullable=True),
        sa.Column("target", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("conditions", patron.db.types.Json, nullable=False),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["campaign_rules.id"], name=op.f("fk_campaign_actions_rule_id_campaign_rules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_actions")),
    )
    with op.batch_alter_table("campaign_actions", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_actions_event_name", ["event_name"], unique=False)
        batch_op.create_index("ix_campaign_actions_rule_id", ["rule_id"], unique=False)

    op.create_table(
        "campaign_customers",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("metadata", patron.db.types.Json, nullable=False),
        sa.Column("referral_code", sa.String(length=64), nullable=False),
        sa.Column("referred_by", sa.Uuid(), nullable=True),
        sa.Column("referred_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_campaign_customers_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_campaign_customers")),
    )
    with op.batch_alter_table("campaign_customers", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_customers_referred_by", ["referred_by"], unique=False)

    op.create_table(
        "referral_codes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_referral_codes")),
    )

    op.create_table(
        "custom_events",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("event_name", sa.String(length=128), nullable=False),
        sa.Column("metadata", patron.db.types.Json, nullable=False),
        sa.Column("occurred_at", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_custom_events_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_custom_events")),
        sa.UniqueConstraint("contact_id", "event_key", name=op.f("uq_custom_events_contact_id_event_key")),
    )
    with op.batch_alter_table("custom_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_events_contact_id_event_name_occurred_at",
            ["contact_id", "event_name", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "campaign_rule_progress",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("action_type", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("start_time", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_time", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_campaign_rule_progress_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["campaign_rules.id"], name=op.f("fk_campaign_rule_progress_rule_id_campaign_rules")
        ),
        sa.PrimaryKeyConstraint("contact_id", "rule_id", "side", name=op.f("pk_campaign_rule_progress")),
    )
    with op.batch_alter_table("campaign_rule_progress", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_rule_progress_campaign_id", ["campaign_id"], unique=False)
        batch_op.create_index(
            "ix_campaign_rule_progress_open_windows",
            ["end_time"],
            unique=False,
            postgresql_where=sa.text(_OPEN_WINDOWS),
            sqlite_where=sa.text(_OPEN_WINDOWS),
        )

    op.create_table(
        "campaign_action_progress",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("action_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("value", patron.db.types.Money(precision=18, scale=4), nullable=False),
        sa.Column("completed_at", patron.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["campaign_actions.id"],
            name=op.f("fk_campaign_action_progress_action_id_campaign_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_campaign_action_progress_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", "action_id", "side", name=op.f("pk_campaign_action_progress")),
    )

    # Coupons redeemed through the campaigns dialect remember the order, and may be reverted.
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redeemed_order_id", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("reverted_on", patron.db.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_column("reverted_on")
        batch_op.drop_column("redeemed_order_id")
    op.drop_table("campaign_action_progress")
    with op.batch_alter_table("campaign_rule_progress", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_campaign_rule_progress_open_windows",
            postgresql_where=sa.text(_OPEN_WINDOWS),
            sqlite_where=sa.text(_OPEN_WINDOWS),
        )
        batch_op.drop_index("ix_campaign_rule_progress_campaign_id")
    op.drop_table("campaign_rule_progress")
    with op.batch_alter_table("custom_events", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_events_contact_id_event_name_occurred_at")
    op.drop_table("custom_events")
    op.drop_table("referral_codes")
    with op.batch_alter_table("campaign_customers", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_customers_referred_by")
    op.drop_table("campaign_customers")
    with op.batch_alter_table("campaign_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_actions_rule_id")
        batch_op.drop_index("ix_campaign_actions_event_name")
    op.drop_table("campaign_actions")
    with op.batch_alter_table("campaign_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_rules_campaign_id")
    op.drop_table("campaign_rules")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_status")
    op.drop_table("campaigns")
