"""Streams of writes a till sends and retries: each write carries its own unique key and an
Idempotency-Key, so the fault tests can check every acknowledged write exists exactly once.

A new kind of write (receipts with their uniqueReceiptId) is one more WriteStream in STREAMS.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from patron.db.engine import Database

# Answers that mean "not done, send the same request again", with the key each must carry.
RETRY_STATUSES = {409: "IdempotencyKeyInFlight", 503: "ServiceUnavailable"}
RETRY_PAUSE_SECONDS = 0.1
REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class WriteStream:
    name: str
    path: str
    body: Callable[[str], dict[str, Any]]
    # SQL returning (unique key, id) for every stored row whose key starts with :prefix.
    stored_query: str
    id_of: Callable[[dict[str, Any]], str]


CONTACT_CREATES = WriteStream(
    name="contact creates",
    path="/api/v3/contacts",
    body=lambda key: {"externalId": key, "firstName": "Stream"},
    stored_query="SELECT external_id, id FROM contacts WHERE external_id LIKE :prefix",
    id_of=lambda answer: str(answer["id"]),
)

STREAMS = [CONTACT_CREATES]


@dataclass
class Outcome:
    """What the client saw: acknowledged ids per key, and every non-success on the way."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    retries: int = 0
    replayed: int = 0
    transport_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    slowest_seconds: float = 0.0
    # Set once this many writes are acknowledged: the moment a fault test strikes.
    milestone: int = 0
    milestone_reached: asyncio.Event = field(default_factory=asyncio.Event)

    def saw(self, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


async def send_until_acknowledged(
    http: httpx.AsyncClient,
    stream: WriteStream,
    key: str,
    headers: dict[str, str],
    outcome: Outcome,
    deadline: float,
) -> None:
    """Send one write, retrying with the same Idempotency-Key until it is acknowledged."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            response = await http.post(
                stream.path,
                json=stream.body(key),
                headers={**headers, "Idempotency-Key": key},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except httpx.TransportError:
            outcome.transport_errors += 1
            outcome.retries += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        finally:
            outcome.slowest_seconds = max(outcome.slowest_seconds, time.monotonic() - started)
        outcome.saw(response.status_code)
        if response.status_code < 300:
            outcome.replayed += response.headers.get("idempotent-replayed") == "true"
            acknowledged = stream.id_of(response.json())
            earlier = outcome.acknowledged.setdefault(key, acknowledged)
            if earlier != acknowledged:
                outcome.unexpected.append(f"{key} acknowledged as {earlier} and as {acknowledged}")
            if len(outcome.acknowledged) >= outcome.milestone:
                outcome.milestone_reached.set()
            return
        if response.status_code in RETRY_STATUSES:
            if response.json().get("key") != RETRY_STATUSES[response.status_code]:
                outcome.unexpected.append(f"{key}: {response.status_code} {response.text[:200]}")
            outcome.retries += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        outcome.unexpected.append(f"{key}: {response.status_code} {response.text[:200]}")
        return
    outcome.unexpected.append(f"{key}: never acknowledged")


async def send_stream(
    base_url: str,
    stream: WriteStream,
    keys: list[str],
    headers: dict[str, str],
    *,
    writers: int,
    seconds: float,
    outcome: Outcome,
) -> Outcome:
    """Send every key with `writers` concurrent clients, each retrying until acknowledged;
    `outcome` fills up as it goes, so a fault can be timed on its progress."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for key in keys:
        queue.put_nowait(key)
    deadline = time.monotonic() + seconds

    async def writer(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            await send_until_acknowledged(http, stream, queue.get_nowait(), headers, outcome, deadline)

    # One connection per writer and no keep-alive reuse across a restart's dead sockets.
    limits = httpx.Limits(max_connections=writers, max_keepalive_connections=writers)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:
        await asyncio.gather(*(writer(http) for _ in range(writers)))
    return outcome


def unique_keys(count: int) -> tuple[str, list[str]]:
    prefix = f"R{secrets.token_hex(4)}-"
    return prefix, [f"{prefix}{n:05d}" for n in range(count)]


async def stored(database: Database, stream: WriteStream, prefix: str) -> list[tuple[str, str]]:
    async with database.read_engine.connect() as connection:
        rows = await connection.execute(text(stream.stored_query), {"prefix": f"{prefix}%"})
        # SQLite keeps a GUID as 32 hex digits; compare them in their canonical form.
        return [(str(key), str(uuid.UUID(str(row_id)))) for key, row_id in rows]
