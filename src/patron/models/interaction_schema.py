"""Interaction schemas: the kinds of interaction a retailer stores (a return, a service
visit), each a JSON Schema every interaction of its kind is validated against. A shared
register, like stores: small and read by every contact's interactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class InteractionSchema(Base):
    __tablename__ = "interaction_schemas"

    # The client names it (Engage's `id`), as it names it in every interaction.
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    json_schema: Mapped[dict[str, Any]] = mapped_column(Json)
    show_in_contact_card: Mapped[bool] = mapped_column(Boolean, default=False)
    add_to_segmentation: Mapped[bool] = mapped_column(Boolean, default=False)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
