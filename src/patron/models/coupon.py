"""Coupon codes handed out as rewards: unique across every contact, so the row is keyed by
the code itself (a lookup table, as the schema keeps what must be unique across contacts)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime


class Coupon(Base):
    __tablename__ = "coupons"
    __table_args__ = (Index("ix_coupons_contact_id", "contact_id"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    reward_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    redeemed_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The order a redemption was for (the campaigns dialect's coupons/apply), and when the
    # last redemption was reverted; a reverted coupon may be redeemed again.
    redeemed_order_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reverted_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
