"""A reward checkpoint on a challenge or streak: reaching its target value in a window (or
that many periods in a row) earns its reward once per member and window."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_definition_id", "definition_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    definition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("record_definitions.id"))
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str] = mapped_column(String(1024))
    target: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(16))
    # {"type": "coupon", "codePrefix"?} | {"type": "promotion", "promotionId"} | {"type": "points", "amount"}
    reward: Mapped[dict[str, Any]] = mapped_column(Json)
    eud: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    eud_translations: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
