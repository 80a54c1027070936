"""Bulk receipt batches: the receipts as sent until applied, and the outcome per row."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class ReceiptBatch(Base):
    __tablename__ = "receipt_batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    caller: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    rows: Mapped[list[Any]] = mapped_column(Json)
    total: Mapped[int] = mapped_column(Integer)
    # Rows applied and committed: a worker taking over an abandoned batch starts after them.
    rows_done: Mapped[int] = mapped_column(Integer)
    succeeded: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    results: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    started_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Renewed by every chunk: a Running batch not renewed for a while was abandoned.
    renewed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
