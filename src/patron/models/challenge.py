"""Challenges: a contact's instance of a definition, one row per cycle (a recurring
definition, a stamp card, starts a new cycle each time one completes).

These rows are the materialised view of the checkpoint log, updated in the same transaction
and rebuilt from it by `patron progress rebuild`. The current challenge of a (contact,
definition) pair is the row with `is_current`; it is the row checkpoint batches lock.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class Challenge(Base):
    __tablename__ = "challenges"
    __table_args__ = (
        UniqueConstraint("contact_id", "definition_id", "cycle"),
        Index("ix_challenges_definition_id", "definition_id"),
        Index(
            "ix_challenges_expiry_untold",
            "ends_on",
            postgresql_where=text("ends_on IS NOT NULL AND expiry_told_on IS NULL"),
            sqlite_where=text("ends_on IS NOT NULL AND expiry_told_on IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    definition_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("challenge_definitions.id"))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    completed_checkpoints: Mapped[int] = mapped_column(Integer, default=0)
    required_checkpoints: Mapped[int] = mapped_column(Integer)
    # 1 Active, 2 Completed, 3 NotCompleted (stored once known; expiry is also read from the clock).
    status: Mapped[int] = mapped_column(Integer, default=1)
    started_on: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    latest_checkpoint_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When its expiry event (challenge.expired / points.expired) was written: told once.
    expiry_told_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
