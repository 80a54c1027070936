"""Streams of writes a till sends and retries: each write carries its own unique key (and, by
default, an Idempotency-Key equal to it), so the fault tests can check every acknowledged write
exists exactly once.

A new kind of write is one more WriteStream in STREAMS; its `seed` creates, once per run and
with admin rights, what every write refers to (a store, a contact...).
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from patron.db.engine import Database

# Answers that mean "not done, send the same request again", with the key each must carry.
RETRY_STATUSES = {409: "IdempotencyKeyInFlight", 503: "ServiceUnavailable"}
RETRY_PAUSE_SECONDS = 0.1
REQUEST_TIMEOUT_SECONDS = 10.0

# What a stream's seed made, by name (e.g. {"contact": <id>, "store": <externalId>}).
Seeded = dict[str, str]


async def _seed_nothing(http: httpx.AsyncClient, admin: dict[str, str], prefix: str) -> Seeded:
    return {}


@dataclass(frozen=True)
class WriteStream:
    name: str
    path: str
    # The write for one unique key, given what the seed made.
    body: Callable[[str, Seeded], dict[str, Any]]
    # SQL returning (unique key, id) for every stored row whose key starts with :prefix.
    stored_query: str
    id_of: Callable[[dict[str, Any]], str]
    # Where the write with this id is read back (GET), answered as it was acknowledged.
    resource: Callable[[str], str]
    # A read alongside the writes, as (path, query parameters), for the connection fault test.
    read: Callable[[str, Seeded], tuple[str, dict[str, str]]]
    seed: Callable[[httpx.AsyncClient, dict[str, str], str], Awaitable[Seeded]] = _seed_nothing
    # False: the till retries on the write's own natural key alone, without an Idempotency-Key.
    idempotency_key: bool = True


CONTACT_CREATES = WriteStream(
    name="contact creates",
    path="/api/v3/contacts",
    body=lambda key, seeded: {"externalId": key, "firstName": "Stream"},
    stored_query="SELECT external_id, id FROM contacts WHERE external_id LIKE :prefix",
    id_of=lambda answer: str(answer["id"]),
    resource=lambda row_id: f"/api/v3/contacts/{row_id}",
    read=lambda key, seeded: ("/api/v3/contacts/id", {"externalId": key}),
)


async def _seed_store_and_contact(http: httpx.AsyncClient, admin: dict[str, str], prefix: str) -> Seeded:
    """The store every receipt is rung up in and the contact every receipt belongs to."""
    store = f"{prefix}store"
    made = await http.post(
        "/api/v3/stores", json={"externalId": store, "name": "Stream store"}, headers=admin
    )
    assert made.status_code == 201, made.text
    contact = await http.post("/api/v3/contacts", json={"externalId": f"{prefix}buyer"}, headers=admin)
    assert contact.status_code == 201, contact.text
    return {"store": store, "contact": str(contact.json()["id"])}


def _receipt(key: str, seeded: Seeded) -> dict[str, Any]:
    return {
        "uniqueReceiptId": key,
        "receiptNumber": key.rsplit("-", 1)[1],
        "createdDate": "2026-11-20T14:05:00+01:00",
        "storeExternalId": seeded["store"],
        "currency": "SEK",
        "totalGrossPrice": 249.5,
        "contact": {"matchKey": seeded["contact"], "matchKeyType": "ContactId"},
        "paymentMethods": [{"type": "Card", "value": 249.5}],
        "items": [
            {
                "type": "PURCHASE",
                "sku": "SKU-1",
                "articleNumber": "A-1",
                "articleName": "Trail shoe",
                "articleGroup": "Shoes",
                "quantity": 1,
                "grossPaidPrice": 249.5,
                "taxAmount": 49.9,
                "taxPercent": 25,
            }
        ],
    }


RECEIPTS = WriteStream(
    name="receipts",
    path="/api/v3/receipts",
    body=_receipt,
    stored_query="SELECT unique_receipt_id, id FROM receipts WHERE unique_receipt_id LIKE :prefix",
    id_of=lambda answer: str(answer["id"]),
    resource=lambda row_id: f"/api/v3/receipts/{row_id}",
    read=lambda key, seeded: (f"/api/v3/contacts/{seeded['contact']}/transactions", {"count": "5"}),
    seed=_seed_store_and_contact,
)

# The same receipts from a till that sends no Idempotency-Key: uniqueReceiptId alone makes
# its retries harmless (a resent receipt is answered 200 with the stored one).
RECEIPTS_BY_UNIQUE_RECEIPT_ID = WriteStream(
    name="receipts by uniqueReceiptId alone",
    path=RECEIPTS.path,
    body=RECEIPTS.body,
    stored_query=RECEIPTS.stored_query,
    id_of=RECEIPTS.id_of,
    resource=RECEIPTS.resource,
    read=RECEIPTS.read,
    seed=RECEIPTS.seed,
    idempotency_key=False,
)

STREAMS = [CONTACT_CREATES, RECEIPTS, RECEIPTS_BY_UNIQUE_RECEIPT_ID]


@dataclass
class Outcome:
    """What the client saw: acknowledged ids and answers per key, and every non-success on
    the way."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    # The body of the answer that acknowledged each key (the first, if a retry answered too).
    answers: dict[str, Any] = field(default_factory=dict)
    # Requests sent and not yet answered, now; and when a fault test struck.
    in_flight: int = 0
    in_flight_at_fault: int | None = None
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

    def strike(self) -> None:
        """Note the moment of the fault: how many requests it catches on their way."""
        self.in_flight_at_fault = self.in_flight


async def send_until_acknowledged(
    http: httpx.AsyncClient,
    stream: WriteStream,
    seeded: Seeded,
    key: str,
    headers: dict[str, str],
    outcome: Outcome,
    deadline: float,
) -> None:
    """Send one write, retrying with the same keys until it is acknowledged."""
    if stream.idempotency_key:
        headers = {**headers, "Idempotency-Key": key}
    while time.monotonic() < deadline:
        started = time.monotonic()
        outcome.in_flight += 1
        try:
            response = await http.post(
                stream.path, json=stream.body(key, seeded), headers=headers, timeout=REQUEST_TIMEOUT_SECONDS
            )
        except httpx.TransportError:
            outcome.transport_errors += 1
            outcome.retries += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        finally:
            outcome.in_flight -= 1
            outcome.slowest_seconds = max(outcome.slowest_seconds, time.monotonic() - started)
        outcome.saw(response.status_code)
        if response.status_code < 300:
            # Replayed from the Idempotency-Key record or, for a receipt, by its uniqueReceiptId.
            outcome.replayed += response.headers.get("idempotent-replayed") == "true"
            answer = response.json()
            acknowledged = stream.id_of(answer)
            outcome.answers.setdefault(key, answer)
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


async def seed(base_url: str, stream: WriteStream, admin: dict[str, str], prefix: str) -> Seeded:
    """Create what the stream's writes refer to, before any fault."""
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        return await stream.seed(http, admin, prefix)


async def send_stream(
    base_url: str,
    stream: WriteStream,
    seeded: Seeded,
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
            await send_until_acknowledged(
                http, stream, seeded, queue.get_nowait(), headers, outcome, deadline
            )

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


async def unlike_their_answers(
    base_url: str, stream: WriteStream, outcome: Outcome, headers: dict[str, str], *, readers: int = 4
) -> dict[str, str]:
    """Read every acknowledged write back; the keys whose stored resource is not (or no longer)
    what their acknowledging answer said, with what was read instead."""
    unlike: dict[str, str] = {}
    keys = list(outcome.answers)

    async def reader(http: httpx.AsyncClient) -> None:
        while keys:
            key = keys.pop()
            read = await http.get(stream.resource(outcome.acknowledged[key]), headers=headers)
            if read.status_code != 200 or read.json() != outcome.answers[key]:
                unlike[key] = f"{read.status_code} {read.text[:200]}"

    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
        await asyncio.gather(*(reader(http) for _ in range(readers)))
    return unlike
