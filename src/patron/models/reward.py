"""The reward log: every reward issued, exactly once per (source, threshold, window, contact)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime
from patron.models.integer_id import IntegerId


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (
        UniqueConstraint("source_type", "source_id", "threshold", "period_key", "contact_id"),
        Index("ix_rewards_contact_id_issued_on", "contact_id", "issued_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"))
    # What earned it: e.g. ("challenge", definition id); threshold "completion" or "checkpoint:3".
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(64))
    reward_type: Mapped[str] = mapped_column(String(20))
    promotion_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    points: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    point_definition_id: Mapped[int | None] = mapped_column(IntegerId, nullable=True)
    point_transaction_id: Mapped[int | None] = mapped_column(IntegerId, nullable=True)
    promotion_assignment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A coupon reward's code (also in `coupons`), and when the reward stops being usable.
    coupon_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expires_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    issued_on: Mapped[datetime] = mapped_column(UTCDateTime())
