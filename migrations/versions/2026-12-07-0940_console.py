"""The console and the widget: the web shops' origins each key admits (allowedOrigins, for the
widget's cross-origin calls), and an index that lets the console's overview sum receipts by day
over a date range without reading every receipt.

Revision ID: 0020_console
Revises: 0019_file_imports
Create Date: 2026-12-07 09:40
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0020_console"
down_revision = "0019_file_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("allowed_origins", patron.db.types.Json, nullable=False, server_default="[]")
        )
    # created_date leads, the total rides along: the day sums read the index alone on PostgreSQL.
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receipts_created_date",
            ["created_date"],
            unique=False,
            **({"postgresql_include": ["total_gross_price"]} if postgres else {}),
        )


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_receipts_created_date")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("allowed_origins")
