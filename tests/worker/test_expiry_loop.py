"""The worker's expiry loop (`worker.expiry`, one of `patron worker`'s loops and the embedded
worker's) writes `challenge.expired` and `points.expired` once each, when the clock passes the
challenge's end or the transaction's validTo, and never again, with two workers at it: in
process (the embedded worker and a second one, the clock moved by the test) and as real
processes (two `patron worker`s, or one beside `patron serve`) over expiries long past, whose
events reach a subscribed receiver once each."""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from patron.app import create_app
from patron.auth.roles import Role
from patron.config import Settings
from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.kit import clock
from patron.models.outbox_event import OutboxEvent
from patron.state import AppState, assemble
from patron.worker import expiry
from patron.worker.runner import Worker
from tests.challenges.factories import make_definition
from tests.clock import frozen_at
from tests.conftest import issue_token, make_settings, migrated_database
from tests.factories import make_contact_id
from tests.points.factories import make_point_definition
from tests.reliability.server import ServerProcess
from tests.webhooks.receiver import Receiver
from tests.worker.process import WorkerProcess

CHECKPOINTS = "/api/v3/challenges/checkpoints"
TRANSACTIONS = "/api/v3/point-accounts/transactions"
EXPIRED = ("challenge.expired", "points.expired")
DAY = timedelta(days=1)


async def _events(database: Database, *types: str) -> list[OutboxEvent]:
    async with transaction(database, write=False) as session:
        query = select(OutboxEvent).where(OutboxEvent.type.in_(types)).order_by(OutboxEvent.seq)
        return list((await session.execute(query)).scalars())


async def _until(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        await asyncio.sleep(0.01)


# In process: the embedded worker and a second worker, the clock moved by the test.


class Passes:
    """Every pass of the expiry loop, by the worker that made it and the instant it began at."""

    def __init__(self) -> None:
        self.made: list[tuple[AppState, datetime, int]] = []

    def told(self) -> int:
        return sum(told for _, _, told in self.made)

    async def made_at(self, at: datetime, workers: list[AppState], each: int = 2) -> None:
        """Until every worker has made `each` whole passes at the instant `at`."""

        def done() -> bool:
            counts = collections.Counter(id(state) for state, began, _ in self.made if began == at)
            return all(counts[id(state)] >= each for state in workers)

        await _until(done, f"{each} expiry passes of each worker at {at}")


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> Passes:
    """The loop passes every 10 ms instead of 30 s, and each pass is noted."""
    seen = Passes()
    real_pass = expiry.run_once

    async def noted(state: AppState) -> int:
        began = clock.now()
        told = await real_pass(state)
        seen.made.append((state, began, told))
        return told

    monkeypatch.setattr(expiry, "EVERY_SECONDS", 0.01)
    monkeypatch.setattr(expiry, "run_once", noted)
    return seen


@pytest.fixture
async def app(settings: Settings, passes: Passes) -> AsyncIterator[FastAPI]:
    """The application with its embedded worker (the default), looping quickly."""
    assert settings.embedded_worker
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def second_worker(settings: Settings, app: FastAPI) -> AsyncIterator[AppState]:
    """Another worker on the same database, as `patron worker` runs one."""
    state = assemble(settings)
    worker = Worker(state, CollectorRegistry())
    running = asyncio.create_task(worker.run())
    try:
        yield state
    finally:
        worker.stop()
        try:
            await running  # a loop that failed raises here
        finally:
            await state.limiter.close()
            await state.database.dispose()


async def test_each_expiry_is_told_once_when_the_clock_passes_it(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    state: AppState,
    second_worker: AppState,
    passes: Passes,
) -> None:
    workers = [state, second_worker]
    start = datetime.now(UTC)
    with frozen_at(start):
        engage = await make_definition(client, admin, expirationMonths=1)
        endless = await make_definition(client, admin, name="No expiry")
        lapsing, also_lapsing, completing = [await make_contact_id(client, till) for _ in range(3)]
        rows = [
            {"definitionId": engage["id"], "contactId": lapsing, "checkpointAmount": 1},
            {"definitionId": endless["id"], "contactId": lapsing, "checkpointAmount": 1},
            {"definitionId": engage["id"], "contactId": also_lapsing, "checkpointAmount": 2},
            {"definitionId": engage["id"], "contactId": completing, "checkpointAmount": 5},
        ]
        assert (await client.post(CHECKPOINTS, json=rows, headers=till)).status_code == 200
        challenges = await client.get("/api/v3/challenges", params={"contactId": lapsing}, headers=till)
        (end,) = {
            datetime.fromisoformat(c["challengeEnd"])
            for c in challenges.json()["items"]
            if c["challengeId"] == engage["id"]
        }
        points = await make_point_definition(client, admin)
        transactions = [
            {
                "contactId": lapsing,
                "definitionId": points,
                "amount": amount,
                "validTo": (start + days).isoformat(),
            }
            for amount, days in ((1, DAY), (2, DAY), (3, DAY), (7, 3 * DAY))
        ] + [{"contactId": lapsing, "definitionId": points, "amount": 100}]
        assert (await client.post(TRANSACTIONS, json=transactions, headers=till)).status_code == 200
    assert start + 3 * DAY < end

    async def told_at(at: datetime) -> list[OutboxEvent]:
        with frozen_at(at):
            await passes.made_at(at, workers)
        return await _events(state.database, *EXPIRED)

    assert await told_at(start + DAY - timedelta(seconds=1)) == []
    first = await told_at(start + DAY)
    assert [(e.type, e.data["amount"]) for e in first] == [("points.expired", n) for n in (1, 2, 3)]
    assert {e.occurred_at for e in first} == {start + DAY}
    assert [e.data["amount"] for e in await told_at(start + 3 * DAY)] == [1, 2, 3, 7]
    assert len(await told_at(end - timedelta(seconds=1))) == 4

    told = await told_at(end)
    expired = [e for e in told if e.type == "challenge.expired"]
    assert sorted(e.data["contactId"] for e in expired) == sorted([lapsing, also_lapsing])
    assert {e.data["challengeId"] for e in expired} == {engage["id"]}
    assert {(e.data["status"], e.data["isActive"]) for e in expired} == {(3, False)}
    assert {e.occurred_at for e in expired} == {end}

    # A year on, every pass of both workers finds nothing left to tell.
    later = await told_at(end + 400 * DAY)
    assert [e.id for e in later] == [e.id for e in told]
    assert len(told) == 6 and passes.told() == 6


# Real processes, over expiries long past.


@pytest.fixture
async def worker_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    async with migrated_database(backend, tmp_path) as url:
        database = create_database(make_settings(url))
        try:
            yield url, database
        finally:
            await database.dispose()


CONTACTS = 20
EXPIRING_POINTS = 30


async def _expired_forty_days_on(database: Database, url: str, receiver: Receiver) -> list[str]:
    """Through the API, forty days ago: an endpoint for the expiry events, an Engage challenge
    of one month for each of CONTACTS contacts, EXPIRING_POINTS points valid for a day and some
    forever. The contacts."""
    admin = {"apikey": await issue_token(database, Role.ADMIN, "back office")}
    till = {"apikey": await issue_token(database, Role.INTEGRATION, "till")}
    settings = make_settings(
        url, embedded_worker=False, webhook_allow_private=True, webhook_allow_insecure=True
    )
    application = create_app(settings)
    then = datetime.now(UTC) - 40 * DAY
    with frozen_at(then):
        async with (
            application.router.lifespan_context(application),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=application), base_url="http://patron.test"
            ) as api,
        ):
            made = await api.post(
                "/api/v3/webhooks", json={"url": receiver.url, "eventTypes": list(EXPIRED)}, headers=admin
            )
            assert made.status_code == 201, made.text
            engage = await make_definition(api, admin, expirationMonths=1)
            contacts = [await make_contact_id(api, till) for _ in range(CONTACTS)]
            rows = [{"definitionId": engage["id"], "contactId": c, "checkpointAmount": 1} for c in contacts]
            assert (await api.post(CHECKPOINTS, json=rows, headers=till)).status_code == 200
            points = await make_point_definition(api, admin)
            valid_to = (then + DAY).isoformat()
            transactions = [
                {
                    "contactId": contacts[n % CONTACTS],
                    "definitionId": points,
                    "amount": n + 1,
                    "validTo": valid_to,
                }
                for n in range(EXPIRING_POINTS)
            ] + [{"contactId": contacts[0], "definitionId": points, "amount": 1000}]
            assert (await api.post(TRANSACTIONS, json=transactions, headers=till)).status_code == 200
    return contacts


@pytest.mark.parametrize("beside", ["patron worker", "patron serve"])
async def test_two_workers_tell_expiries_long_past_once_and_deliver_them_once(
    worker_database: tuple[str, Database], tmp_path: Path, beside: str
) -> None:
    url, database = worker_database
    receiver = Receiver().start()
    worker = WorkerProcess(url, tmp_path / "worker.log")
    other: WorkerProcess | ServerProcess = (
        WorkerProcess(url, tmp_path / "other.log")
        if beside == "patron worker"
        else ServerProcess(
            url, tmp_path / "other.log", webhook_allow_private="true", webhook_allow_insecure="true"
        )
    )
    try:
        contacts = await _expired_forty_days_on(database, url, receiver)
        assert await _events(database, *EXPIRED) == []
        worker.start()
        # Started together: each one's expiry loop makes its first pass at once.
        await asyncio.to_thread(other.start)  # patron serve's returns once it answers
        expected = CONTACTS + EXPIRING_POINTS
        await _until(lambda: len(set(receiver.arrivals)) >= expected, f"{expected} deliveries", seconds=60)
        await asyncio.sleep(1.0)  # time for a second telling, or a second delivery, to show
        assert await asyncio.to_thread(worker.terminate) == 0
        if isinstance(other, WorkerProcess):
            assert await asyncio.to_thread(other.terminate) == 0
    finally:
        worker.stop()
        other.stop()
        receiver.stop()
    logs = "".join(path.read_text() for path in (tmp_path / "worker.log", tmp_path / "other.log"))
    assert "Traceback" not in logs, logs

    events = await _events(database, *EXPIRED)
    by_type = collections.Counter(event.type for event in events)
    assert by_type == {"challenge.expired": CONTACTS, "points.expired": EXPIRING_POINTS}
    told = collections.Counter((event.type, str(event.data["id"])) for event in events)
    assert set(told.values()) == {1}
    challenged = collections.Counter(e.data["contactId"] for e in events if e.type == "challenge.expired")
    assert challenged == dict.fromkeys(contacts, 1)
    assert sorted(e.data["amount"] for e in events if e.type == "points.expired") == list(
        range(1, EXPIRING_POINTS + 1)
    )

    hits = receiver.received()
    assert collections.Counter(hit.headers["webhook-id"] for hit in hits) == dict.fromkeys(
        [event.id for event in events], 1
    )
    bodies: list[dict[str, Any]] = [json.loads(hit.body) for hit in hits]
    assert collections.Counter((b["type"], str(b["data"]["id"])) for b in bodies) == told
