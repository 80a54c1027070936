"""Point definitions: the kinds of points a deployment keeps (bonus points, club points...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime
from patron.models.integer_id import IntegerId


class PointDefinition(Base):
    __tablename__ = "point_definitions"

    id: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # Whether a return may take a balance below zero; otherwise what it cannot take is owed.
    allow_negative_balance: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
