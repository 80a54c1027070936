"""Point definitions: the kinds of points a deployment keeps (bonus points, club points...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import UTCDateTime
from patron.models.integer_id import IntegerId


class PointDefinition(Base):
    __tablename__ = "point_definitions"

    id: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
