"""Events are written in the caller's transaction: committed with it, or not at all."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.models.outbox_event import OutboxEvent
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent


async def _stored(database: Database, contact_id: uuid.UUID) -> list[OutboxEvent]:
    async with transaction(database, write=False) as session:
        query = select(OutboxEvent).where(OutboxEvent.contact_id == contact_id).order_by(OutboxEvent.seq)
        return list((await session.execute(query)).scalars())


async def test_a_batch_of_events_commits_in_order_with_its_ids(database: Database) -> None:
    contact = uuid.uuid4()
    events = [NewEvent(EventType.CHALLENGE_CHECKPOINT_ADDED, {"n": n}, contact) for n in range(5)]
    async with transaction(database) as session:
        ids = await outbox.record(session, events)
    stored = await _stored(database, contact)
    assert [event.id for event in stored] == ids
    assert [event.data for event in stored] == [{"n": n} for n in range(5)]
    assert all(event.id.startswith("evt_") and event.type == "challenge.checkpoint_added" for event in stored)
    assert len(set(ids)) == 5


async def test_a_rolled_back_change_leaves_no_event(database: Database) -> None:
    contact = uuid.uuid4()
    with pytest.raises(RuntimeError):
        async with transaction(database) as session:
            await outbox.record(session, [NewEvent(EventType.CONTACT_UPDATED, {"id": str(contact)}, contact)])
            raise RuntimeError("the change failed after writing")
    assert await _stored(database, contact) == []
