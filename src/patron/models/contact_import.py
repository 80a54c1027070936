"""Bulk contact imports: the rows as sent, and the outcome per row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class ContactImport(Base):
    __tablename__ = "contact_imports"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    caller: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    rows: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    total: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    started_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
