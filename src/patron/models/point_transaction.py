"""Point transactions: the append-only ledger of a point account."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Money, UTCDateTime
from patron.models.integer_id import IntegerId


class PointTransaction(Base):
    __tablename__ = "point_transactions"
    __table_args__ = (
        Index("ix_point_transactions_account_id", "account_id"),
        Index(
            "ix_point_transactions_expiry_untold",
            "valid_to",
            postgresql_where=text("valid_to IS NOT NULL AND expiry_told_on IS NULL"),
            sqlite_where=text("valid_to IS NOT NULL AND expiry_told_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(IntegerId, ForeignKey("point_accounts.id"))
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    amount: Mapped[Decimal] = mapped_column(Money())
    # "Credit" or "Debit", from the sign of the amount.
    type: Mapped[str] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    transaction_date: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    retail_transaction_line_item_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
    # When its expiry event (challenge.expired / points.expired) was written: told once.
    expiry_told_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
