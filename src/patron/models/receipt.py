"""Receipts: what a contact bought or returned, stored once and never changed (activity ledger)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class Receipt(Base):
    __tablename__ = "receipts"
    __table_args__ = (
        # Purchase history reads a contact's receipts newest first.
        Index("ix_receipts_contact_id_created_date", "contact_id", "created_date"),
        # The console's overview sums receipts by day over a date range, from the index alone.
        Index("ix_receipts_created_date", "created_date", postgresql_include=["total_gross_price"]),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    # The till's natural key: the unique constraint is what makes a retry harmless.
    unique_receipt_id: Mapped[str] = mapped_column(String(200), unique=True)
    # sha256 of the canonical body, to tell a replay from a changed receipt.
    fingerprint: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    store_external_id: Mapped[str] = mapped_column(String(200))
    receipt_number: Mapped[str] = mapped_column(String(200))
    created_date: Mapped[datetime] = mapped_column(UTCDateTime())
    currency: Mapped[str] = mapped_column(String(3))
    total_gross_price: Mapped[Decimal] = mapped_column(Money())
    # Exchange rates need more places than money has, so the exact decimal text is kept.
    exchange_rate_to_group_currency: Mapped[str | None] = mapped_column(String(40), nullable=True)
    used_promotions: Mapped[list[str]] = mapped_column(Json, default=list)
    extra_data: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    recorded_on: Mapped[datetime] = mapped_column(UTCDateTime())
