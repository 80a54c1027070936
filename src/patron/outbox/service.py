"""Writing events, in the caller's transaction: they commit with the change or not at all."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from sqlalchemy import Table, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.models.outbox_event import OutboxEvent
from patron.outbox.events import REDACTED_TYPES, NewEvent, event_id

_EVENTS: Table = OutboxEvent.__table__  # type: ignore[assignment]

# PostgreSQL takes a batch as one array per column: one statement, prepared once per
# connection, with no per-row parameter binding in Python (a checkpoint batch tells a
# thousand rows). The data travel as JSON text. The transaction has its id (xid) before the
# events take their seqs (`writer`, read first), which is what lets the fan-out tell when
# every lower seq has committed or never will (webhooks.service.fan_out).
_RECORD_ARRAYS = (
    "WITH writer AS MATERIALIZED (SELECT pg_current_xact_id() AS xid) "
    "INSERT INTO outbox_events (id, type, occurred_at, contact_id, data) "
    "SELECT event.id, event.type, event.occurred_at, event.contact_id, CAST(event.data AS jsonb) "
    "FROM writer, unnest($1::text[], $2::text[], $3::timestamptz[], $4::uuid[], $5::text[]) "
    "WITH ORDINALITY AS event (id, type, occurred_at, contact_id, data, position) "
    "WHERE writer.xid IS NOT NULL ORDER BY event.position"
)


async def record(session: AsyncSession, events: Sequence[NewEvent]) -> list[str]:
    """Write `events` in order (a batch in one statement); their public ids, in that order."""
    if not events:
        return []
    now = clock.now()
    ids = [event_id() for _ in events]
    if session.get_bind().dialect.name == "postgresql":
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        connection = await session.connection()
        await connection.exec_driver_sql(
            _RECORD_ARRAYS,
            (
                ids,
                [event.type.value for event in events],
                [event.occurred_at or now for event in events],
                [event.contact_id for event in events],
                [dumps(event.data) for event in events],
            ),
        )
        return ids
    rows = [
        {
            "id": public_id,
            "type": event.type.value,
            "occurred_at": event.occurred_at or now,
            "contact_id": event.contact_id,
            "data": dict(event.data),
        }
        for public_id, event in zip(ids, events, strict=True)
    ]
    # Core, not the ORM's bulk insert: nothing to track, a plain executemany.
    await session.execute(insert(_EVENTS), rows)
    return ids


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
