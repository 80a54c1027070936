"""An index of the live contacts' ids.

Receipts and checkpoint batches ask whether contacts exist and are not erased, a thousand at
a time for a batch. With the primary key alone every answer reads the contact's row, and for
a long list of ids the planner preferred reading the whole table; a partial index of live ids
answers from the index alone (an index-only scan wherever the table is vacuumed).

Revision ID: 0006_live_contacts
Revises: 0005_update_in_place
Create Date: 2026-12-01 08:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_live_contacts"
down_revision = "0005_update_in_place"
branch_labels = None
depends_on = None

_LIVE = sa.text("erased_on IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_contacts_live", "contacts", ["id"], unique=True, postgresql_where=_LIVE, sqlite_where=_LIVE
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_live", table_name="contacts")
