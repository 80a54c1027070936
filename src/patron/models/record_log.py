"""The activity ledger of challenges and streaks: one row per log, never changed.

Keyed by contact first, as every contact-scoped table: a member's logs live together, and a
repeated `uniqueIdentifier` of a member for one definition is refused by the unique key."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime


class RecordLog(Base):
    __tablename__ = "record_logs"
    __table_args__ = (
        UniqueConstraint("contact_id", "definition_id", "unique_identifier"),
        Index(
            "ix_record_logs_definition_id_contact_id_activity_at",
            "definition_id",
            "contact_id",
            "activity_at",
        ),
        Index("ix_record_logs_id", "id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("record_definitions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    activity_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activity_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    unique_identifier: Mapped[str] = mapped_column(String(256))
    activity_value: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    # The window (challenge) or period (streak) it counted in, as the progress rows name it.
    period_key: Mapped[str] = mapped_column(String(32))
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
