"""Points a return could not take back without a balance going below zero: taken from the
contact's next credits of that definition."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import PrimaryKeyConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime
from patron.models.integer_id import IntegerId


class PointsOwed(Base):
    __tablename__ = "points_owed"
    __table_args__ = (PrimaryKeyConstraint("contact_id", "definition_id"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    definition_id: Mapped[int] = mapped_column(IntegerId)
    amount: Mapped[Decimal] = mapped_column(Money())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
