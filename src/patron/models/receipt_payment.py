"""Receipt payments: how a receipt was paid (card, cash, gift card, ...)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money


class ReceiptPayment(Base):
    __tablename__ = "receipt_payments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    receipt_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("receipts.id"), index=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    position: Mapped[int] = mapped_column(Integer())
    type: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal] = mapped_column(Money())
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
