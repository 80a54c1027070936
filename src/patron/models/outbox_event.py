"""The outbox: every change worth telling, written in the transaction that makes it.

A worker reads it in `seq` order and delivers it (webhooks); a rolled-back change leaves no
row, a committed one always has its rows. An event is read until its deliveries exist
(`fanned_out_at`): a flag per event, not a cursor over `seq`, because a transaction that
took a lower `seq` may commit after a higher one, or roll back and leave a gap for good.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime
from patron.models.integer_id import IntegerId


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_contact_id_seq", "contact_id", "seq"),
        Index("ix_outbox_events_occurred_at", "occurred_at"),
        # The events still to fan out: a small index however long the outbox grows.
        Index(
            "ix_outbox_events_unfanned",
            "seq",
            postgresql_where=text("fanned_out_at IS NULL"),
            sqlite_where=text("fanned_out_at IS NULL"),
        ),
        # A contact's events still to fan out: what holds back the claim of their later ones.
        Index(
            "ix_outbox_events_unfanned_contact",
            "contact_id",
            "seq",
            postgresql_where=text("fanned_out_at IS NULL"),
            sqlite_where=text("fanned_out_at IS NULL"),
        ),
    )

    # The order events were written in: what a worker follows (per contact, for delivery).
    seq: Mapped[int] = mapped_column(IntegerId, primary_key=True, autoincrement=True)
    # The public id (`evt_…`): the Standard Webhooks `webhook-id`, the same on every attempt.
    id: Mapped[str] = mapped_column(String(40), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    # The resource as the API renders it.
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    # When its deliveries were made (None: not yet read by a worker).
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
