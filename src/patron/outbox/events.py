"""What an event is: its type, the contact it concerns, and the resource it carries (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel


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
    POINTS_TAKEN_BACK = "points.taken_back"
    CHALLENGE_CHECKPOINTS_TAKEN_BACK = "challenge.checkpoints_taken_back"
    MILESTONE_ACHIEVED = "milestone.achieved"
    CHALLENGE_FAILED = "challenge.failed"
    STREAK_BROKEN = "streak.broken"
    # The campaigns dialect: a custom event stored, a campaign rule completed by a customer.
    EVENT_RECEIVED = "event.received"
    CAMPAIGN_RULE_COMPLETED = "campaign.rule_completed"
    # Engage activity: an interaction stored, an order stored or changed, a cart no order
    # followed within PATRON_ABANDONED_CART_MINUTES (what abandoned-cart mails are built on).
    INTERACTION_CREATED = "interaction.created"
    ORDER_CREATED = "order.created"
    ORDER_UPDATED = "order.updated"
    CART_ABANDONED = "cart.abandoned"
    # Sent by POST /webhooks/{id}/test only; never written to the outbox.
    WEBHOOK_TEST = "webhook.test"


# An event is not an answer to a request, so it carries no request's address or zone: its
# resource is rendered by the same function as the API's answer, with instants in UTC and
# links relative to the API's root (docs/WEBHOOKS.md, "Events").
EVENT_ZONE = ZoneInfo("UTC")
EVENT_ROOT = "/api/v3"
# What erasure leaves of an earlier contact.created or contact.updated event's data.
REDACTED_TYPES = (EventType.CONTACT_CREATED, EventType.CONTACT_UPDATED)


def rendered(resource: BaseModel) -> dict[str, Any]:
    """A rendered resource as an event's data: the JSON the API would answer with."""
    return resource.model_dump(mode="json")


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
