"""`patron worker` processes against one database: a worker killed mid-delivery has its
delivery taken over after the lease, SIGTERM lets the delivery in flight finish and exits 0,
and two workers over 500 events (2000 in `make fuzz`) deliver each exactly once."""

from __future__ import annotations

import asyncio
import collections
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.webhooks import service as webhooks
from patron.webhooks.schemas import NewWebhook
from tests.conftest import make_settings, migrated_database
from tests.webhooks.receiver import Receiver
from tests.worker.process import WorkerProcess

# Events the two workers share: 500 in `make test`, 2000 in the long runs (`make fuzz`).
EVENTS = int(os.environ.get("PATRON_WORKER_EVENTS", "500"))


@pytest.fixture
async def worker_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    async with migrated_database(backend, tmp_path) as url:
        database = create_database(make_settings(url))
        try:
            yield url, database
        finally:
            await database.dispose()


async def _subscribe(database: Database, url: str) -> uuid.UUID:
    settings = make_settings("sqlite://", webhook_allow_private=True, webhook_allow_insecure=True)
    async with transaction(database) as session:
        endpoint = await webhooks.create(session, NewWebhook(url=url, eventTypes=["*"]), settings)
        return endpoint.id


async def _record(database: Database, events: list[NewEvent]) -> list[str]:
    async with transaction(database) as session:
        return await outbox.record(session, events)


async def _statuses(database: Database, endpoint_id: uuid.UUID) -> collections.Counter[str]:
    async with transaction(database, write=False) as session:
        found, _ = await webhooks.deliveries(session, endpoint_id, 0, 1000)
        total = collections.Counter(d.status for d in found)
        offset = 1000
        while len(found) == 1000:
            found, _ = await webhooks.deliveries(session, endpoint_id, offset, 1000)
            total.update(d.status for d in found)
            offset += 1000
        return total


async def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.1)


async def test_a_worker_killed_mid_delivery_is_taken_over_after_its_lease(
    worker_database: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = worker_database
    receiver = Receiver().start()
    receiver.hold.clear()  # the first request waits: a delivery in flight
    first = WorkerProcess(url, tmp_path / "first.log", webhook_lease_seconds="3")
    second = WorkerProcess(url, tmp_path / "second.log", webhook_lease_seconds="3")
    try:
        endpoint_id = await _subscribe(database, receiver.url)
        (event_id,) = await _record(database, [NewEvent(EventType.CONTACT_UPDATED, {"n": 1}, uuid.uuid4())])
        first.start()
        await _until(lambda: event_id in receiver.arrivals, 60, "the first worker's attempt")
        first.kill()
        receiver.hold.set()
        assert (await _statuses(database, endpoint_id)) == {"pending": 1}
        second.start()
        await _until(lambda: receiver.arrivals.count(event_id) >= 2, 60, "the second worker's attempt")
        for _ in range(100):
            if (await _statuses(database, endpoint_id)) == {"succeeded": 1}:
                break
            await asyncio.sleep(0.1)
        assert (await _statuses(database, endpoint_id)) == {"succeeded": 1}
    finally:
        receiver.hold.set()
        first.stop()
        second.stop()
        receiver.stop()
    assert set(receiver.arrivals) == {event_id}


async def test_sigterm_finishes_the_delivery_in_flight_and_exits_0(
    worker_database: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = worker_database
    receiver = Receiver().start()
    receiver.hold.clear()
    worker = WorkerProcess(url, tmp_path / "worker.log")
    try:
        endpoint_id = await _subscribe(database, receiver.url)
        (event_id,) = await _record(database, [NewEvent(EventType.CONTACT_UPDATED, {"n": 1}, uuid.uuid4())])
        worker.start()
        await _until(lambda: event_id in receiver.arrivals, 60, "the attempt")
        loop = asyncio.get_running_loop()
        loop.call_later(1.0, receiver.hold.set)
        code = await asyncio.to_thread(worker.terminate, 60)
    finally:
        receiver.hold.set()
        worker.stop()
        receiver.stop()
    assert code == 0, (tmp_path / "worker.log").read_text()
    assert (await _statuses(database, endpoint_id)) == {"succeeded": 1}


async def test_two_workers_over_many_events_deliver_each_once(
    worker_database: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = worker_database
    receiver = Receiver().start()
    workers = [WorkerProcess(url, tmp_path / f"worker{n}.log", concurrency=20) for n in range(2)]
    try:
        endpoint_id = await _subscribe(database, receiver.url)
        contacts = [uuid.uuid4() for _ in range(200)]
        ids: list[str] = []
        for start in range(0, EVENTS, 500):
            ids += await _record(
                database,
                [
                    NewEvent(EventType.CONTACT_UPDATED, {"n": n}, contacts[n % 200])
                    for n in range(start, start + 500)
                ],
            )
        for worker in workers:
            worker.start()
        await _until(lambda: len(set(receiver.arrivals)) >= EVENTS, 600, f"{EVENTS} deliveries")
        await asyncio.sleep(1.0)
        for worker in workers:
            assert await asyncio.to_thread(worker.terminate, 60) == 0
    finally:
        for worker in workers:
            worker.stop()
        receiver.stop()
    counts = collections.Counter(receiver.arrivals)
    assert set(counts) == set(ids)
    assert [event for event, seen in counts.items() if seen != 1] == []
    assert (await _statuses(database, endpoint_id)) == {"succeeded": EVENTS}
    logs = "".join((tmp_path / f"worker{n}.log").read_text() for n in range(2))
    assert "Traceback" not in logs
