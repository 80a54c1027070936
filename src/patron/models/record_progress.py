"""A member's progress on a challenge (one row per window) or a streak (one row per run of
periods in a row): the materialised view of the record logs, updated in their transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime


class RecordProgress(Base):
    __tablename__ = "record_progress"
    __table_args__ = (
        Index("ix_record_progress_id", "id"),
        Index("ix_record_progress_definition_id_status", "definition_id", "status"),
        # What the worker's window-closing job looks for: windows still open, by when they end.
        Index(
            "ix_record_progress_open_windows",
            "period_end",
            postgresql_where=text("status = 'in_progress' AND end_told_on IS NULL"),
            sqlite_where=text("status = 'in_progress' AND end_told_on IS NULL"),
        ),
        # What the worker's run-breaking job looks for: streak runs still going, by when they break.
        Index(
            "ix_record_progress_open_runs",
            "breaks_at",
            postgresql_where=text("status = 'in_progress' AND breaks_at IS NOT NULL"),
            sqlite_where=text("status = 'in_progress' AND breaks_at IS NOT NULL"),
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("record_definitions.id"), primary_key=True)
    # A challenge's window ("2026-12", "2026-W49", "2026-12-03"); a streak's run ("run-3").
    period_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid())
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[Decimal] = mapped_column(Money())
    # in_progress, completed, failed (a challenge's window closed below target) or broken (a streak).
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The window (a challenge) or the current period (a streak).
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    # The IANA zone its windows are counted in (the definition's, or the member's own).
    zone: Mapped[str] = mapped_column(String(64))
    # A streak: the current period's total so far, and the run's number.
    period_value: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    run: Mapped[int] = mapped_column(Integer, default=0)
    # When the worker told that the window failed or the streak broke (challenge.failed, streak.broken).
    end_told_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A streak run in progress: the end of the period it needs next, when it breaks unless a
    # log meets that period (None for challenges and for runs that ended).
    breaks_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
