"""A row of an import file that failed: where it is in the file and the API's error key."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base


class FileImportFailure(Base):
    __tablename__ = "file_import_failures"

    file_import_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("file_imports.id", ondelete="CASCADE"), primary_key=True
    )
    # The row's position in the file, from 1; 0 for a file refused whole.
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(1000))
