"""Writing events, in the caller's transaction: they commit with the change or not at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.models.outbox_event import OutboxEvent
from patron.outbox.events import REDACTED_TYPES, NewEvent, event_id


async def record(session: AsyncSession, events: Sequence[NewEvent]) -> list[str]:
    """Write `events` in order (a batch in one statement); their public ids, in that order."""
    if not events:
        return []
    now = clock.now()
    rows = [
        {
            "id": event_id(),
            "type": event.type.value,
            "occurred_at": event.occurred_at or now,
            "contact_id": event.contact_id,
            "data": dict(event.data),
        }
        for event in events
    ]
    await session.execute(insert(OutboxEvent), rows)
    return [str(row["id"]) for row in rows]


def redacted(contact_id: uuid.UUID) -> dict[str, object]:
    """What an erased contact's earlier contact events keep: its id, nothing that names it."""
    return {"id": str(contact_id), "redacted": True}


async def redact_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """An erased contact's earlier contact.created and contact.updated events keep no personal
    data: their `data` becomes the contact's id alone (an erasure subscriber, docs/PRIVACY.md).
    Events delivered already cannot be called back; those not yet delivered go out redacted."""
    await session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.contact_id == contact_id,
            OutboxEvent.type.in_([event_type.value for event_type in REDACTED_TYPES]),
        )
        .values(data=redacted(contact_id))
    )
