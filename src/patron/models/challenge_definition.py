"""Challenge definitions: the template a contact's challenges are made from."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime


class ChallengeDefinition(Base):
    __tablename__ = "challenge_definitions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(String(256))
    description: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    image_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    required_checkpoints: Mapped[int] = mapped_column(Integer)
    expiration_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # IANA zone expiry days are counted in: the deployment's when the definition was created.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    consent_required: Mapped[bool] = mapped_column(Boolean, default=False)
    is_recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    # 0 None, 1 ReceiptTotal, 2 ReceiptLineQuantity, 3 ReceiptLineTotal.
    assign_on: Mapped[int] = mapped_column(Integer, default=0, index=True)
    assign_on_amount: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    article_filter: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    is_scheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    scheduled_from: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    scheduled_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # What an admin set: 0 Draft, 1 Active (activated), 3 Ended. Scheduled is derived from the clock.
    status: Mapped[int] = mapped_column(Integer, default=0)
    rewards: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
