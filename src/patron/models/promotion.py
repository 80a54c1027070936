"""Multichannel promotions: the definition ("template") that contacts are assigned."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class Promotion(Base):
    __tablename__ = "promotions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    # Draft, Active or Ended as set by the API; Scheduled and time-based Ended are computed.
    state: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date())
    end_date: Mapped[date | None] = mapped_column(Date(), nullable=True)
    validity_unit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    validity_amount: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    # The deployment's zone when the dates were written: days start and end there, and
    # assignments count their validity in calendar days of that zone.
    time_zone: Mapped[str] = mapped_column(String(64))
    # The dates as instants in that zone, for queries.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heading: Mapped[str | None] = mapped_column(String(500), nullable=True)
    description: Mapped[str | None] = mapped_column(Text(), nullable=True)
    link: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    image_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    redemption_channels: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
