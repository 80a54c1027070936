"""Idempotency-Key: a retry gets the first answer; another body or a running first request is refused."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from patron.db.engine import Database
from patron.db.session import transaction
from patron.idempotency import service as idempotency
from patron.kit import clock
from tests.clock import frozen_at


async def test_retry_gets_the_stored_response_and_creates_nothing_new(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    headers = {**till, "idempotency-key": "create-ann"}
    first = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    retry = await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    assert retry.headers["content-type"] == "application/json"


async def test_same_key_with_another_body_is_422(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    headers = {**till, "idempotency-key": "k1"}
    await client.post("/api/v3/contacts", json={"email": "ann@example.com"}, headers=headers)
    changed = await client.post("/api/v3/contacts", json={"email": "bob@example.com"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["key"] == "IdempotencyKeyReused"
    bob = await client.get("/api/v3/contacts/id", params={"email": "bob@example.com"}, headers=till)
    assert bob.status_code == 404


async def test_refusals_are_replayed_too(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    headers = {**till, "idempotency-key": "bad"}
    first = await client.post("/api/v3/contacts", json={"email": "nope"}, headers=headers)
    again = await client.post("/api/v3/contacts", json={"email": "nope"}, headers=headers)
    assert first.status_code == again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"


async def test_keys_belong_to_their_caller(
    client: httpx.AsyncClient, till: dict[str, str], admin: dict[str, str]
) -> None:
    first = await client.post(
        "/api/v3/contacts", json={"email": "a@example.com"}, headers={**till, "idempotency-key": "shared"}
    )
    other = await client.post(
        "/api/v3/contacts", json={"email": "b@example.com"}, headers={**admin, "idempotency-key": "shared"}
    )
    assert first.status_code == other.status_code == 201
    assert first.json()["id"] != other.json()["id"]


async def test_key_held_by_a_running_request_is_409(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    body = b'{"email": "slow@example.com"}'
    key_id = till["apikey"].split(".")[0]
    from patron.kit.secrets import fingerprint

    request_hash = fingerprint(b"POST\n/api/v3/contacts\n\n" + body)
    async with transaction(database) as session:
        claim = await idempotency.claim(
            session,
            caller=key_id,
            key="slow",
            request_hash=request_hash,
            lease_seconds=60,
            ttl=timedelta(hours=24),
        )
    assert isinstance(claim, idempotency.Acquired)
    headers = {**till, "idempotency-key": "slow", "content-type": "application/json"}
    busy = await client.post("/api/v3/contacts", content=body, headers=headers)
    assert busy.status_code == 409
    assert busy.json()["key"] == "IdempotencyKeyInFlight"
    # A request that died holding the key does not block it for ever: after the lease it is taken over.
    with frozen_at(clock.now() + timedelta(seconds=61)):
        taken = await client.post("/api/v3/contacts", content=body, headers=headers)
    assert taken.status_code == 201


BURST = 10


def _first_and_the_others(responses: list[httpx.Response], status: int) -> httpx.Response:
    """The one answer that ran the work; every other is its stored replay (same status and body,
    `Idempotent-Replayed: true`) or a 409 IdempotencyKeyInFlight, nothing else."""
    first = [r for r in responses if r.status_code == status and "idempotent-replayed" not in r.headers]
    assert len(first) == 1, [(r.status_code, dict(r.headers), r.text[:200]) for r in responses]
    for response in responses:
        if response is first[0]:
            continue
        if response.status_code == 409:
            assert response.json()["key"] == "IdempotencyKeyInFlight", response.text
        else:
            assert response.status_code == status, response.text
            assert response.headers["idempotent-replayed"] == "true"
            assert response.content == first[0].content
    return first[0]


async def test_concurrent_retries_run_the_work_once(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    headers = {**till, "idempotency-key": "burst"}
    body = {"email": "burst@example.com"}
    responses = await asyncio.gather(
        *(client.post("/api/v3/contacts", json=body, headers=headers) for _ in range(BURST))
    )
    first = _first_and_the_others(list(responses), 201)
    replay = await client.post("/api/v3/contacts", json=body, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.content == first.content
    found = await client.get("/api/v3/contacts/id", params={"email": "burst@example.com"}, headers=till)
    assert found.status_code == 200


async def test_a_burst_of_one_point_transaction_credits_it_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """A point transaction has no key of its own: only the Idempotency-Key keeps a till's
    retries from crediting it again."""
    contact = (await client.post("/api/v3/contacts", json={"email": "p@example.com"}, headers=till)).json()[
        "id"
    ]
    definition = (
        await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    ).json()["id"]
    rows = [{"contactId": contact, "definitionId": definition, "amount": 10}]
    headers = {**till, "idempotency-key": "credit-burst"}
    responses = await asyncio.gather(
        *(
            client.post("/api/v3/point-accounts/transactions", json=rows, headers=headers)
            for _ in range(BURST)
        )
    )
    first = _first_and_the_others(list(responses), 200)
    assert first.json()["notAccepted"] == []
    [account] = (
        await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    ).json()
    ledger = (
        await client.get(
            "/api/v3/point-accounts/transactions",
            params={"accountId": account["id"], "filter": "All", "count": 100},
            headers=till,
        )
    ).json()["items"]
    assert [float(t["amount"]) for t in ledger] == [10.0]
    assert float(account["balance"]) == 10.0


async def test_a_burst_of_one_checkpoint_batch_counts_it_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = (await client.post("/api/v3/contacts", json={"email": "c@example.com"}, headers=till)).json()[
        "id"
    ]
    definition = (
        await client.post(
            "/api/v3/challenges/definitions",
            json={"name": "Card", "requiredNumberOfCheckpoints": 50, "status": "Active"},
            headers=admin,
        )
    ).json()["id"]
    rows = [{"definitionId": definition, "contactId": contact, "checkpointAmount": 3}]
    headers = {**till, "idempotency-key": "checkpoint-burst"}
    responses = await asyncio.gather(
        *(client.post("/api/v3/challenges/checkpoints", json=rows, headers=headers) for _ in range(BURST))
    )
    first = _first_and_the_others(list(responses), 200)
    assert first.json()["notAccepted"] == []
    found = await client.get("/api/v3/challenges", params={"contactId": contact}, headers=till)
    assert [c["completedCheckpoints"] for c in found.json()["items"]] == [3]


async def test_records_are_kept_for_the_retention_then_purged(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    await client.post(
        "/api/v3/contacts", json={"email": "a@example.com"}, headers={**till, "idempotency-key": "old"}
    )
    async with transaction(database) as session:
        assert await idempotency.purge_expired(session, timedelta(hours=24)) == 0
    with frozen_at(clock.now() + timedelta(hours=25)):
        async with transaction(database) as session:
            assert await idempotency.purge_expired(session, timedelta(hours=24)) == 1
