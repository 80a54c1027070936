"""Every PostgreSQL connection terminated, twice, while two `patron worker` processes deliver
webhooks: afterwards every committed event has been delivered at least once, every delivery
is recorded as succeeded, and the workers are still running.

Delivery is at least once: an attempt whose outcome could not be recorded (its connection was
cut between the receiver's answer and the commit) is sent again once its lease runs out, with
the same `webhook-id`, which is how a receiver recognises it (docs/WEBHOOKS.md)."""

from __future__ import annotations

import asyncio
import collections
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.webhooks import service as webhooks
from patron.webhooks.schemas import NewWebhook
from tests.conftest import make_settings
from tests.webhooks.receiver import Receiver
from tests.worker.process import WorkerProcess

EVENTS = 600
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _terminate_all(url: str) -> int:
    killer = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with killer.connect() as connection:
            return int((await connection.execute(text(TERMINATE))).scalar_one())
    finally:
        await killer.dispose()


async def _subscribe(database: Database, url: str) -> None:
    settings = make_settings("sqlite://", webhook_allow_private=True, webhook_allow_insecure=True)
    async with transaction(database) as session:
        await webhooks.create(session, NewWebhook(url=url, eventTypes=["*"]), settings)


async def _pending(database: Database) -> int:
    async with transaction(database, write=False) as session:
        return int(
            (
                await session.execute(
                    text("SELECT count(*) FROM webhook_deliveries WHERE status <> 'succeeded'")
                )
            ).scalar_one()
        )


async def _until_arrived(receiver: Receiver, count: int, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while len(set(receiver.arrivals)) < count:
        assert loop.time() < deadline, f"fewer than {count} events delivered within {seconds} s"
        await asyncio.sleep(0.05)


async def _until_delivered(receiver: Receiver, ids: set[str], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not ids <= set(receiver.arrivals):
        missing = len(ids - set(receiver.arrivals))
        assert loop.time() < deadline, f"{missing} events not delivered within {seconds} s"
        await asyncio.sleep(0.2)


async def test_every_committed_event_is_delivered_though_the_connections_are_cut(
    own_postgres_url: str, tmp_path: Path
) -> None:
    database = create_database(make_settings(own_postgres_url))
    receiver = Receiver().start()
    workers = [
        WorkerProcess(
            own_postgres_url, tmp_path / f"worker-{n}.log", concurrency=20, webhook_lease_seconds="3"
        )
        for n in range(2)
    ]
    terminated: list[int] = []
    try:
        await _subscribe(database, receiver.url)
        contacts = [uuid.uuid4() for _ in range(60)]
        async with transaction(database) as session:
            events = [NewEvent(EventType.CONTACT_UPDATED, {"n": n}, contacts[n % 60]) for n in range(EVENTS)]
            ids = set(await outbox.record(session, events))
        for worker in workers:
            worker.start()
        for share in (EVENTS // 6, EVENTS // 2):
            await _until_arrived(receiver, share, 120)
            terminated.append(await _terminate_all(own_postgres_url))
        await _until_delivered(receiver, ids, 180)
        for _ in range(200):  # the last outcomes being recorded
            if await _pending(database) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _pending(database) == 0
        assert all(worker.process is not None and worker.process.poll() is None for worker in workers)
    finally:
        for worker in workers:
            worker.stop()
        receiver.stop()
        await database.dispose()
    counts = collections.Counter(receiver.arrivals)
    duplicates = sum(seen - 1 for seen in counts.values())
    print(f"terminated {terminated} connections; {EVENTS} events, {duplicates} sent again")
    assert set(counts) == ids  # nothing lost, nothing that was not committed
    assert all(count >= 1 for count in terminated)
