"""Earning rules: how many points a receipt's matching lines credit to a point definition."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, Money, UTCDateTime
from patron.models.integer_id import IntegerId


class PointRule(Base):
    __tablename__ = "point_rules"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    definition_id: Mapped[int] = mapped_column(IntegerId, ForeignKey("point_definitions.id"), index=True)
    # Rules apply in this order (then by creation); each one credits on its own.
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    points_per_unit: Mapped[Decimal] = mapped_column(Money())
    # {"articleNumbers", "groups", "brands"}: every named criterion must match; None is every line.
    article_filter: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # Stores the rule applies at (externalIds); empty is every store.
    store_external_ids: Mapped[list[str]] = mapped_column(Json, default=list)
    # The multiplier applies on the purchase's local day when it falls in the date range
    # (inclusive) and on one of the weekdays (ISO: 1 Monday .. 7 Sunday); either may be absent.
    multiplier: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    multiplier_from: Mapped[date | None] = mapped_column(Date(), nullable=True)
    multiplier_to: Mapped[date | None] = mapped_column(Date(), nullable=True)
    multiplier_weekdays: Mapped[list[int]] = mapped_column(Json, default=list)
    minimum_receipt_total: Mapped[Decimal | None] = mapped_column(Money(), nullable=True)
    pending_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expiry_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
