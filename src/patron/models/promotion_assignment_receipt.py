"""Which receipts used which promotion assignment (a receipt's `usedPromotions`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class PromotionAssignmentReceipt(Base):
    __tablename__ = "promotion_assignment_receipts"

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("promotion_assignments.id"), primary_key=True
    )
    # The receipts table lives in its own domain; the reference is kept by value.
    receipt_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, index=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), index=True)
    linked_on: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the receipt did with it: "Redeemed", or why it was not (the redeem endpoint's
    # refusal key, as `PromotionExpired`); NULL on links made before outcomes were recorded.
    outcome: Mapped[str | None] = mapped_column(String(60), nullable=True)
