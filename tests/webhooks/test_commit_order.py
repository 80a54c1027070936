"""One contact's events reach an endpoint in seq order even when their transactions commit in
the other order (PostgreSQL, where writers run at once): the fan-out waits for the transaction
that took the lower seq, and a delivery waits while its contact has an earlier event another
worker is still fanning out."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from patron.db.session import transaction
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.state import AppState
from patron.webhooks import repository as webhook_rows
from patron.webhooks import service as webhooks

pytestmark = pytest.mark.postgres_only


async def _subscribe(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    made = await client.post(
        "/api/v3/webhooks", json={"url": "http://127.0.0.1:9/hooks", "eventTypes": ["*"]}, headers=admin
    )
    assert made.status_code == 201, made.text


def _event(contact: uuid.UUID, n: int) -> NewEvent:
    return NewEvent(EventType.CONTACT_UPDATED, {"n": n}, contact)


async def _claimed_numbers(state: AppState) -> list[int]:
    async with transaction(state.database) as session:
        claimed = await webhooks.claim(session, 10, 60)
    return [int(json.loads(one.body)["data"]["n"]) for one in claimed]


async def test_an_event_committed_after_a_later_one_is_still_told_first(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    await _subscribe(client, admin)
    contact = uuid.uuid4()
    first_written = asyncio.Event()
    let_first_commit = asyncio.Event()

    async def slow_writer() -> None:
        # Takes the lower seq, then stays open while another transaction commits a later one.
        async with transaction(state.database) as session:
            await outbox.record(session, [_event(contact, 1)])
            first_written.set()
            await let_first_commit.wait()

    writing = asyncio.create_task(slow_writer())
    await first_written.wait()
    async with transaction(state.database) as session:
        await outbox.record(session, [_event(contact, 2)])

    async def fan_out() -> int:
        async with transaction(state.database) as session:
            return await webhooks.fan_out(session)

    fanning = asyncio.create_task(fan_out())
    try:
        await asyncio.sleep(0.2)
        # The fan-out waits for the open transaction that took the lower seq...
        assert not fanning.done()
    finally:
        let_first_commit.set()
        await writing
    # ...and then fans out both, so the earlier event's delivery holds the later one back.
    assert await fanning == 2
    assert await _claimed_numbers(state) == [1]


async def test_a_delivery_waits_while_its_contacts_earlier_event_is_being_fanned_out(
    client: httpx.AsyncClient, admin: dict[str, str], state: AppState
) -> None:
    await _subscribe(client, admin)
    contact = uuid.uuid4()
    async with transaction(state.database) as session:
        await outbox.record(session, [_event(contact, 1)])
    async with transaction(state.database) as session:
        await outbox.record(session, [_event(contact, 2)])
    async with transaction(state.database) as holder:
        # Another worker holds the earlier event: it is fanning it out and has not committed.
        (held,) = await webhook_rows.unfanned_events(holder, 1)
        assert held.data == {"n": 1}
        async with transaction(state.database) as session:
            assert await webhooks.fan_out(session) == 1  # the later event: its delivery exists
        assert await _claimed_numbers(state) == []
    # The holder ended without fanning out: the next fan-out does, and the order holds.
    async with transaction(state.database) as session:
        assert await webhooks.fan_out(session) == 1
    assert await _claimed_numbers(state) == [1]
