"""The wire format of webhook endpoints and their deliveries (camelCase, as the Engage routes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from patron.kit.bodies import Body
from patron.outbox.events import EventType

Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Description = Annotated[str, StringConstraints(max_length=500)]
# Every type a subscription may name: the outbox's, and `*` for all of them.
SUBSCRIBABLE = frozenset(t.value for t in EventType if t is not EventType.WEBHOOK_TEST) | {"*"}
DeliveryStatus = Literal["pending", "succeeded", "failed"]


def _known_types(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    unknown = sorted(set(value) - SUBSCRIBABLE)
    if unknown:
        raise ValueError(f"unknown event types {unknown}; known: {sorted(SUBSCRIBABLE)}")
    # One of each, in the order given; `*` alone stands for every type.
    return ["*"] if "*" in value else list(dict.fromkeys(value))


EventTypes = Annotated[
    list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1, max_length=64)
]


class NewWebhook(Body):
    url: Url
    eventTypes: EventTypes
    description: Description | None = None
    active: bool = True

    _types = field_validator("eventTypes")(_known_types)


class WebhookChanges(Body):
    """PATCH: the fields given change, the others stay. Setting `active` to true re-enables an
    endpoint Patron disabled."""

    url: Url | None = None
    eventTypes: EventTypes | None = None
    description: Description | None = None
    active: bool | None = None

    _types = field_validator("eventTypes")(_known_types)


class WebhookOut(BaseModel):
    id: uuid.UUID
    url: str
    eventTypes: list[str]
    description: str | None
    active: bool
    # Why Patron stopped delivering (a 410 Gone, days of failures); null while it delivers.
    disabledReason: str | None
    # Until when the secret replaced by the last rotation still signs alongside the new one.
    previousSecretExpiresOn: datetime | None
    createdOn: datetime
    modifiedOn: datetime


class WebhookWithSecret(WebhookOut):
    """Shown at creation and rotation only: the signing secret (`whsec_…`)."""

    secret: str


class AttemptOut(BaseModel):
    number: int
    attemptedOn: datetime
    # Null when no answer came (refused connection, timeout, refused address).
    statusCode: int | None
    latencyMs: int
    # The first 1 KB of the answer's body.
    responseBody: str | None
    error: str | None


class DeliveryOut(BaseModel):
    id: uuid.UUID
    # The `webhook-id` of every attempt.
    eventId: str
    eventType: str
    contactId: uuid.UUID | None
    status: DeliveryStatus
    attemptCount: int
    nextAttemptOn: datetime | None
    createdOn: datetime
    finishedOn: datetime | None
    attempts: list[AttemptOut]


class Replayed(BaseModel):
    # Deliveries queued again: one per event since the instant the endpoint subscribes to.
    queued: int
