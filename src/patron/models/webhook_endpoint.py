"""A webhook subscription: where events of the chosen types are delivered, and how they are signed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    # Event type names, or ["*"] for every type.
    event_types: Mapped[list[str]] = mapped_column(Json)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean)
    # `whsec_` and base64: what signs every delivery (Standard Webhooks).
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret signs alongside the new one until `previous_secret_until`.
    previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Why delivery stopped on its own (410 Gone, failing for days); cleared when re-activated.
    disabled_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The first failure since the last success: the endpoint is disabled once it is old enough.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    modified_on: Mapped[datetime] = mapped_column(UTCDateTime())
