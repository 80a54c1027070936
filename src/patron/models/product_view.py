"""Product views a shop tracks: which item a contact looked at, when, from where."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class ProductView(Base):
    __tablename__ = "product_views"
    __table_args__ = (Index("ix_product_views_contact_id_viewed_at", "contact_id", "viewed_at"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(500), nullable=True)
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    new_session: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    language: Mapped[str | None] = mapped_column(String(20), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    external_referrer: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    utm: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    received_on: Mapped[datetime] = mapped_column(UTCDateTime())
