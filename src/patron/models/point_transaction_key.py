"""The transaction ids Engage v3 clients give point transactions: one row per id and account,
so a repeated `transactionId` is found and changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime
from patron.models.integer_id import IntegerId


class PointTransactionKey(Base):
    __tablename__ = "point_transaction_keys"

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(IntegerId, ForeignKey("point_accounts.id"), primary_key=True)
    transaction_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
