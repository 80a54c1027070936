"""Record definitions' uploaded icons (`eudIcon`), and when each streak run breaks unless a
log meets the period it needs (what the worker's run-breaking job looks for).

Revision ID: 0021_record_icons
Revises: 0020_console
Create Date: 2026-12-07 09:50
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0021_record_icons"
down_revision = "0020_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_icons",
        sa.Column("definition_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("modified_on", patron.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["record_definitions.id"],
            name=op.f("fk_record_icons_definition_id_record_definitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("definition_id", name=op.f("pk_record_icons")),
    )
    with op.batch_alter_table("record_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("breaks_at", patron.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_record_progress_open_runs",
            ["breaks_at"],
            unique=False,
            postgresql_where=sa.text("status = 'in_progress' AND breaks_at IS NOT NULL"),
            sqlite_where=sa.text("status = 'in_progress' AND breaks_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("record_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_record_progress_open_runs")
        batch_op.drop_column("breaks_at")
    op.drop_table("record_icons")
