"""The checkpoint log: every accepted assignment and checkpoint award, append-only.

The ledger that challenges are a view of. Rows are written while the challenge row is
locked, so their ids order them exactly as they were applied.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime
from patron.models.integer_id import IntegerId


class ChallengeCheckpoint(Base):
    __tablename__ = "challenge_checkpoints"
    __table_args__ = (Index("ix_challenge_checkpoints_contact_definition", "contact_id", "definition_id"),)

    id: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    definition_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("challenge_definitions.id"))
    # "assigned" (amount 0: an assignment, which starts the first cycle) or "checkpoint" (where
    # the contact had no challenge, the first one starts it).
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    # "api" or "receipt"; receipt_id names the receipt that earned it.
    source: Mapped[str] = mapped_column(String(20))
    receipt_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    recorded_on: Mapped[datetime] = mapped_column(UTCDateTime())
