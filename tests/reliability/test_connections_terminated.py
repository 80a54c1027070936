"""Every PostgreSQL connection of a running server terminated mid-load: the server recovers by
itself, failed requests get a clear 503 in the envelope (never a 500, never a hang), and no
acknowledged write is lost: for a stream of receipts and for a stream of contact creates."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from patron.config import Settings
from patron.db.engine import Database, create_database
from tests.reliability.server import ServerProcess
from tests.reliability.streams import (
    CONTACT_CREATES,
    RECEIPTS,
    Outcome,
    Seeded,
    WriteStream,
    seed,
    send_stream,
    stored,
    unique_keys,
)

WRITES = 300
WRITERS = 6
STREAM_SECONDS = 40.0
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def _terminate_all_after(url: str, outcome: Outcome, terminated: list[int]) -> None:
    await outcome.milestone_reached.wait()
    killer = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with killer.connect() as connection:
            terminated.append(int((await connection.execute(text(TERMINATE))).scalar_one()))
    finally:
        await killer.dispose()


async def _read_until(
    done: asyncio.Event,
    url: str,
    token: str,
    stream: WriteStream,
    seeded: Seeded,
    keys: list[str],
    statuses: dict[int, int],
) -> None:
    """Reads alongside the writes: each answers 200, 404 or 503, never a 500."""
    async with httpx.AsyncClient(base_url=url) as http:
        n = 0
        while not done.is_set():
            path, params = stream.read(keys[n % len(keys)], seeded)
            response = await http.get(path, params=params, headers={"apikey": token})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 503:
                assert response.json()["key"] == "ServiceUnavailable"
            n += 1


@pytest.mark.parametrize("stream", [RECEIPTS, CONTACT_CREATES], ids=lambda stream: stream.name)
async def test_the_server_recovers_from_terminated_connections(
    own_postgres_url: str, tmp_path: Path, stream: WriteStream
) -> None:
    token = f"bench{secrets.token_hex(4)}.{secrets.token_hex(16)}"
    server = ServerProcess(
        own_postgres_url,
        tmp_path / "server.log",
        workers=2,
        bootstrap_admin_key=token,
        idempotency_lease_seconds="2",
    )
    await asyncio.to_thread(server.start)
    prefix, keys = unique_keys(WRITES)
    outcome = Outcome(milestone=WRITES // 3)
    terminated: list[int] = []
    started = time.monotonic()
    done = asyncio.Event()
    reads: dict[int, int] = {}
    try:
        seeded = await seed(server.url, stream, {"apikey": token}, prefix)
        readers = [
            asyncio.create_task(_read_until(done, server.url, token, stream, seeded, keys, reads))
            for _ in range(2)
        ]
        fault = asyncio.create_task(_terminate_all_after(own_postgres_url, outcome, terminated))
        await send_stream(
            server.url,
            stream,
            seeded,
            keys,
            {"apikey": token},
            writers=WRITERS,
            seconds=STREAM_SECONDS,
            outcome=outcome,
        )
        await fault
        done.set()
        await asyncio.gather(*readers)
        async with httpx.AsyncClient(base_url=server.url) as http:
            path, params = stream.read(keys[0], seeded)
            later = await http.get(path, params=params, headers={"apikey": token})
            ready = await http.get("/readyz")
    finally:
        await asyncio.to_thread(server.stop)
    database: Database = create_database(Settings(database_url=own_postgres_url))
    try:
        rows = await stored(database, stream, prefix)
    finally:
        await database.dispose()

    print(
        f"{stream.name}: terminated {terminated} connections; {len(keys)} writes, statuses {outcome.statuses}, "
        f"reads {reads}, {outcome.retries} retries ({outcome.transport_errors} transport errors, "
        f"{outcome.replayed} replayed), slowest {outcome.slowest_seconds:.2f}s, "
        f"{time.monotonic() - started:.1f}s"
    )
    assert terminated and terminated[0] > 0, "the server held no connection to terminate"
    assert outcome.unexpected == []
    assert 500 not in outcome.statuses
    assert set(reads) <= {200, 404, 503}
    assert outcome.slowest_seconds < 5
    assert later.status_code == 200 and ready.status_code == 200
    assert set(outcome.acknowledged) == set(keys)
    assert len(rows) == len({key for key, _ in rows}) == WRITES
    assert dict(rows) == outcome.acknowledged
