"""What an event is: its type, the contact it concerns, and the resource it carries (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_ERASED = "contact.erased"
    RECEIPT_CREATED = "receipt.created"
    PROMOTION_ASSIGNED = "promotion.assigned"
    PROMOTION_REDEEMED = "promotion.redeemed"
    CHALLENGE_CHECKPOINT_ADDED = "challenge.checkpoint_added"
    CHALLENGE_COMPLETED = "challenge.completed"
    CHALLENGE_EXPIRED = "challenge.expired"
    REWARD_ISSUED = "reward.issued"
    POINTS_TRANSACTION_ADDED = "points.transaction_added"
    POINTS_EXPIRED = "points.expired"
    # Sent by POST /webhooks/{id}/test only; never written to the outbox.
    WEBHOOK_TEST = "webhook.test"


@dataclass(frozen=True)
class NewEvent:
    type: EventType
    # The resource as the API renders it (JSON-ready: strings, numbers, lists, objects).
    data: Mapping[str, Any]
    contact_id: uuid.UUID | None = None
    # When the change happened; the writing transaction's clock when not given.
    occurred_at: datetime | None = None


def event_id() -> str:
    """A new public event id: `evt_` and 32 hex digits."""
    return f"evt_{uuid.uuid4().hex}"
