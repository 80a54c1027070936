"""Orders from a shop: one row per order, its latest state. An order posted again with the
same orderNumber replaces what was stored (a shipped, paid or returned order)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        # A contact's orders newest first; the abandoned-cart check reads the orders since a cart.
        Index("ix_orders_contact_id_created_date", "contact_id", "created_date"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(200))
    order_status: Mapped[str] = mapped_column(String(100))
    payment_status: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_date: Mapped[datetime] = mapped_column(UTCDateTime())
    store_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    total_gross_price: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    # The order as it was posted (items, payments, fees, totals), in Patron's reading of it.
    document: Mapped[dict[str, Any]] = mapped_column(Json)
    received_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())


class OrderNumber(Base):
    """An orderNumber is unique across all contacts, so it lives in a lookup table keyed by it."""

    __tablename__ = "order_numbers"

    order_number: Mapped[str] = mapped_column(String(200), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    order_id: Mapped[uuid.UUID] = mapped_column(Uuid())
