"""Custom events (the campaigns dialect's activity): stored once in the ledger, keyed by the
client's event id per customer, so a retry changes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime


class CustomEvent(Base):
    __tablename__ = "custom_events"
    __table_args__ = (
        UniqueConstraint("contact_id", "event_key"),
        # A benchmark found late reads the customer's triggers since then.
        Index(
            "ix_custom_events_contact_id_event_name_occurred_at", "contact_id", "event_name", "occurred_at"
        ),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("contacts.id"), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    # The client's event_id, or one drawn for an event sent without it.
    event_key: Mapped[str] = mapped_column(String(128))
    event_name: Mapped[str] = mapped_column(String(128))
    # The attribute is `details`: SQLAlchemy keeps `metadata` for the table registry.
    details: Mapped[dict[str, Any]] = mapped_column("metadata", Json)
    # When it happened (the client's timestamp), and when Patron stored it.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_on: Mapped[datetime] = mapped_column(UTCDateTime())
