"""One event to send to one endpoint, until it is answered 2xx or its retries run out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from patron.db.base import Base
from patron.db.types import Json, UTCDateTime

_PENDING = text("status = 'pending'")


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # An outbox event is fanned out to an endpoint once, however often the fan-out reads it;
        # replays and tests (no fan-out key) are new deliveries of their own.
        UniqueConstraint("endpoint_id", "fanout_seq"),
        # What a worker claims: pending, in due order. Partial, so finished deliveries (nearly
        # every row, in time) are never walked.
        Index(
            "ix_webhook_deliveries_pending_due",
            "next_attempt_at",
            "event_seq",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        # A contact's earlier pending delivery to the same endpoint holds back its later ones.
        Index(
            "ix_webhook_deliveries_pending_per_contact",
            "endpoint_id",
            "contact_id",
            "event_seq",
            postgresql_where=_PENDING,
            sqlite_where=_PENDING,
        ),
        Index("ix_webhook_deliveries_endpoint_id_created_on", "endpoint_id", "created_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # The outbox event's seq (its order), none for a `webhook.test`.
    event_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fanout_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The `webhook-id`: the event's id, the same on every attempt and every replay.
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    # The body of a `webhook.test` (never in the outbox); other deliveries read their event.
    payload: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    # pending (waiting or being sent), succeeded, failed (retries exhausted).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # While a worker sends it: until when it is that worker's, and which claim it is.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_token: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True)
    created_on: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_on: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
