"""A promotion assigned to one contact: the instance a till redeems, exactly once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class PromotionAssignment(Base):
    __tablename__ = "promotion_assignments"
    # The till's hot read: one contact's assignments, in assignment order.
    __table_args__ = (Index("ix_promotion_assignments_contact_assigned", "contact_id", "assigned_on"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    promotion_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("promotions.id"), index=True)
    assigned_on: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    redeemed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    redemption_channel: Mapped[str | None] = mapped_column(String(10), nullable=True)
