"""Segments: an audience defined by a rule over contacts, with its members kept by the worker."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_refresh_due_on", "refresh_due_on"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # The rule as the admin sent it (docs/SEGMENTS.md); compiled to SQL when evaluated.
    rule: Mapped[dict[str, Any]] = mapped_column(Json)
    refresh_minutes: Mapped[int] = mapped_column(Integer)
    # When the worker next recomputes the members; set to now by an on-demand refresh.
    refresh_due_on: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    member_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
