"""Challenges and streaks of the record dialect: a goal per daily, weekly or monthly window
(a challenge) or a number of such periods in a row (a streak), with what the customer sees."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class RecordDefinition(Base):
    __tablename__ = "record_definitions"
    __table_args__ = (Index("ix_record_definitions_kind_status", "kind", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    # challenge or streak
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(String(1024))
    # draft, live or paused; only live ones take logs.
    status: Mapped[str] = mapped_column(String(16))
    # A challenge: the total to reach in a window. A streak: the periods in a row.
    completion_target: Mapped[Decimal] = mapped_column(Money())
    aggregation_method: Mapped[str] = mapped_column(String(8))
    aggregation_period: Mapped[str] = mapped_column(String(8))
    # A streak's total per period for that period to count.
    aggregation_target: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    # An IANA zone, "member" (each member's own timeZone attribute), or none (the deployment's).
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The end-user display fields in the default language, and per language {"sv": {...}}.
    eud: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    eud_translations: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    icon_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
