"""A key's own rate limit: requests per second and the bucket's size, overriding its role's
default (PATRON_RATE_*). Keys made before have none (NULL): they keep their role's default.

Revision ID: 0009_key_rates
Revises: 0008_receipt_outcomes
Create Date: 2026-12-02 23:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_key_rates"
down_revision = "0008_receipt_outcomes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("rate_per_second", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rate_burst", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("rate_burst")
        batch.drop_column("rate_per_second")
