"""Writing events, in the caller's transaction: they commit with the change or not at all."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.models.outbox_event import OutboxEvent
from patron.outbox.events import NewEvent, event_id


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
