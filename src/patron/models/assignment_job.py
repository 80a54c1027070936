"""A background job assigning a promotion to every member of a segment, resumable from its cursor."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class AssignmentJob(Base):
    __tablename__ = "assignment_jobs"
    __table_args__ = (Index("ix_assignment_jobs_status", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    promotion_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("promotions.id"))
    segment_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("segments.id"))
    # Queued, Running, Done or Failed.
    status: Mapped[str] = mapped_column(String(20))
    rows_per_second: Mapped[int] = mapped_column(Integer)
    # Members when the job started, members gone through, and how many of them it assigned.
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)
    # The last member (in contact id order) whose batch committed: a restart goes on after it.
    cursor: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    # A worker holds the job until then; a crashed worker's job is taken over after it.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    error: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    started_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
