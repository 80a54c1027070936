"""How far the fan-out has read the outbox: every event up to `seq` has its deliveries."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.models.integer_id import IntegerId


class WebhookCursor(Base):
    __tablename__ = "webhook_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(IntegerId)
