"""File imports: one row per file (known by its content), how far it has got, and its lease."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class FileImport(Base):
    __tablename__ = "file_imports"
    # A file is known by what it holds: the same content again is the same import.
    __table_args__ = (UniqueConstraint("kind", "digest"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # SHA-256 of the file's bytes, hex.
    digest: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(500))
    caller: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int] = mapped_column(Integer)
    # Rows (in document order) whose batch has committed: a resumed run starts after them.
    rows_done: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    # The run holding the file, and when it last said it was alive.
    holder: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    renewed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    started_on: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
