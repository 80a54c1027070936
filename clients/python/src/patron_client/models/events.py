"""Custom events of the campaigns dialect (`POST /events/invoke`), snake_case on the wire."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, JsonValue


class CustomerEvent(BaseModel):
    """Something a customer did that live campaign rules listen to. `source_id` is the
    customer (the contact's externalId); `event_id` makes a resend harmless."""

    model_config = ConfigDict(extra="ignore")

    event_name: str
    source_id: str
    metadata: dict[str, JsonValue] | None = None
    event_id: str | None = None
    timestamp: dt.datetime | None = None


class EventAnswer(BaseModel):
    """The event as Patron stored it; the same event_id again gets the same answer."""

    model_config = ConfigDict(extra="ignore")

    event_id: str
    event_name: str
    source_id: str
    customer_id: str
    timestamp: int
    status: str
