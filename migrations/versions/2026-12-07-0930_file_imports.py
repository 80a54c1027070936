"""File imports (XML and the drop folder) and bulk receipt batches.

Revision ID: 0019_file_imports
Revises: 0018_programme
Create Date: 2026-12-07 09:30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import patron.db.types

revision = "0019_file_imports"
down_revision = "0018_programme"
branch_labels = None
depends_on = None

_UTC = patron.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "file_imports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("holder", sa.Uuid(), nullable=True),
        sa.Column("renewed_on", _UTC, nullable=True),
        sa.Column("started_on", _UTC, nullable=False),
        sa.Column("finished_on", _UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_imports")),
        sa.UniqueConstraint("kind", "digest", name=op.f("uq_file_imports_kind_digest")),
    )
    op.create_table(
        "file_import_failures",
        sa.Column("file_import_id", sa.Uuid(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_import_id"],
            ["file_imports.id"],
            name=op.f("fk_file_import_failures_file_import_id_file_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_import_id", "row", name=op.f("pk_file_import_failures")),
    )
    op.create_table(
        "receipt_batches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows", patron.db.types.Json, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("results", patron.db.types.Json, nullable=False),
        sa.Column("renewed_on", _UTC, nullable=True),
        sa.Column("created_on", _UTC, nullable=False),
        sa.Column("started_on", _UTC, nullable=True),
        sa.Column("finished_on", _UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_batches")),
    )
    with op.batch_alter_table("receipt_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_batches_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("receipt_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_batches_status"))
    op.drop_table("receipt_batches")
    op.drop_table("file_import_failures")
    op.drop_table("file_imports")
