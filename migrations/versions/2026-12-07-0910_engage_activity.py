"""Engage interactions and their schemas, orders, carts and product views, and the transaction
ids of point transactions posted by account.

Revision ID: 0017_engage_activity
Revises: 0016_campaigns
Create Date: 2026-12-07 09:10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0017_engage_activity"
down_revision = "0016_campaigns"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = patron.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "point_transaction_keys",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", _ID, nullable=False),
        sa.Column("transaction_key", sa.String(length=200), nullable=False),
        sa.Column("created_on", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["point_accounts.id"],
            name=op.f("fk_point_transaction_keys_account_id_point_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_point_transaction_keys_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint(
            "contact_id", "account_id", "transaction_key", name=op.f("pk_point_transaction_keys")
        ),
    )
    op.create_table(
        "interaction_schemas",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("json_schema", patron.db.types.Json, nullable=False),
        sa.Column("show_in_contact_card", sa.Boolean(), nullable=False),
        sa.Column("add_to_segmentation", sa.Boolean(), nullable=False),
        sa.Column("created_on", _AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_schemas")),
    )
    op.create_table(
        "interactions",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("schema_id", sa.String(length=200), nullable=False),
        sa.Column("created_date", _AT, nullable=False),
        sa.Column("payload", patron.db.types.Json, nullable=False),
        sa.Column("received_on", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_interactions_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["schema_id"],
            ["interaction_schemas.id"],
            name=op.f("fk_interactions_schema_id_interaction_schemas"),
        ),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_contact_id_schema_id_created_date",
            ["contact_id", "schema_id", "created_date"],
            unique=False,
        )
        batch_op.create_index("ix_interactions_id", ["id"], unique=True)
    op.create_table(
        "orders",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=200), nullable=False),
        sa.Column("order_status", sa.String(length=100), nullable=False),
        sa.Column("payment_status", sa.String(length=100), nullable=True),
        sa.Column("created_date", _AT, nullable=False),
        sa.Column("store_id", sa.String(length=200), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("total_gross_price", patron.db.types.Money(precision=18, scale=4), nullable=True),
        sa.Column("document", patron.db.types.Json, nullable=False),
        sa.Column("received_on", _AT, nullable=False),
        sa.Column("modified_on", _AT, nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_orders_contact_id_contacts")),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_orders")),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_contact_id_created_date", ["contact_id", "created_date"], unique=False
        )
    op.create_table(
        "order_numbers",
        sa.Column("order_number", sa.String(length=200), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_order_numbers_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("order_number", name=op.f("pk_order_numbers")),
    )
    op.create_table(
        "carts",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cart_reference", sa.String(length=200), nullable=False),
        sa.Column("cart_time", _AT, nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("items", patron.db.types.Json, nullable=False),
        sa.Column("updated_on", _AT, nullable=False),
        sa.Column("decided_on", _AT, nullable=True),
        sa.Column("abandoned", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_carts_contact_id_contacts")),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_carts")),
        sa.UniqueConstraint("contact_id", "cart_reference", name=op.f("uq_carts_contact_id_cart_reference")),
    )
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_carts_undecided",
            ["updated_on"],
            unique=False,
            postgresql_where=sa.text("decided_on IS NULL"),
            sqlite_where=sa.text("decided_on IS NULL"),
        )
    op.create_table(
        "product_views",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=500), nullable=True),
        sa.Column("viewed_at", _AT, nullable=False),
        sa.Column("session_id", sa.String(length=200), nullable=True),
        sa.Column("new_session", sa.Boolean(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("external_referrer", sa.String(length=2000), nullable=True),
        sa.Column("utm", patron.db.types.Json, nullable=False),
        sa.Column("received_on", _AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_product_views_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", "id", name=op.f("pk_product_views")),
    )
    with op.batch_alter_table("product_views", schema=None) as batch_op:
        batch_op.create_index(
            "ix_product_views_contact_id_viewed_at", ["contact_id", "viewed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("product_views", schema=None) as batch_op:
        batch_op.drop_index("ix_product_views_contact_id_viewed_at")
    op.drop_table("product_views")
    with op.batch_alter_table("carts", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_carts_undecided",
            postgresql_where=sa.text("decided_on IS NULL"),
            sqlite_where=sa.text("decided_on IS NULL"),
        )
    op.drop_table("carts")
    op.drop_table("order_numbers")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_contact_id_created_date")
    op.drop_table("orders")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_id")
        batch_op.drop_index("ix_interactions_contact_id_schema_id_created_date")
    op.drop_table("interactions")
    op.drop_table("interaction_schemas")
    op.drop_table("point_transaction_keys")
