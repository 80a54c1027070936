"""Shopping carts a shop tracks: the contact's cart by its reference, its latest items. A cart
that no order follows within PATRON_ABANDONED_CART_MINUTES is told as cart.abandoned, once."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class Cart(Base):
    __tablename__ = "carts"
    __table_args__ = (
        UniqueConstraint("contact_id", "cart_reference"),
        # The carts still to judge: a small index however many carts were ever tracked.
        Index(
            "ix_carts_undecided",
            "updated_on",
            postgresql_where=text("decided_on IS NULL"),
            sqlite_where=text("decided_on IS NULL"),
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    cart_reference: Mapped[str] = mapped_column(String(200))
    # When the shop saw the cart (its `time`), and when Patron last stored it.
    cart_time: Mapped[datetime] = mapped_column(UTCDateTime())
    language: Mapped[str | None] = mapped_column(String(20), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    items: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    updated_on: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the worker decided it: abandoned (and told) or followed by an order. A cart posted
    # again is undecided again.
    decided_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    abandoned: Mapped[bool | None] = mapped_column(nullable=True)
