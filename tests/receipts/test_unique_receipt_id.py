"""uniqueReceiptId makes a retry harmless: a replay is 200, a changed body 409, a race stores one."""

from __future__ import annotations

import asyncio

import httpx

from patron.db.engine import Database
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt, stored_counts


async def test_the_same_body_again_is_200_with_the_stored_receipt(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    first = await client.post("/api/v3/receipts", json=body, headers=till)
    again = await client.post("/api/v3/receipts", json=body, headers=till)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await stored_counts(database) == (1, 1, 1)


async def test_the_same_receipt_written_differently_is_still_a_replay(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    first = await client.post("/api/v3/receipts", json=body, headers=till)
    # Same amounts and instant, spelled another way: 100 for 100.0, UTC for +01:00.
    respelled = {**body, "totalGrossPrice": 100, "createdDate": "2026-11-20T13:05:00Z"}
    again = await client.post("/api/v3/receipts", json=respelled, headers=till)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_a_changed_body_under_the_same_unique_receipt_id_is_409(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    first = await client.post("/api/v3/receipts", json=body, headers=till)
    changed = {**body, "items": [line(quantity=2, grossPaidPrice=200)], "totalGrossPrice": 200}
    conflict = await client.post("/api/v3/receipts", json=changed, headers=till)
    assert conflict.status_code == 409
    assert conflict.json()["key"] == "ReceiptAlreadyExists"
    assert conflict.json()["details"]["receiptId"] == first.json()["id"]
    read = await client.get(f"/api/v3/receipts/{first.json()['id']}", headers=till)
    assert read.json()["totalGrossPrice"] == 100.0
    assert await stored_counts(database) == (1, 1, 1)


async def test_twenty_concurrent_posts_of_one_receipt_store_exactly_one(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store, items=[line(), line(articleNumber="A-2"), line(articleNumber="A-3")])
    responses = await asyncio.gather(
        *(client.post("/api/v3/receipts", json=body, headers=till) for _ in range(20))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 19 + [201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert await stored_counts(database) == (1, 3, 1)


async def test_concurrent_posts_with_different_bodies_store_one_and_refuse_the_rest(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    bodies = [receipt(contact, store, uniqueReceiptId="R-SAME", receiptNumber=str(n)) for n in range(10)]
    responses = await asyncio.gather(*(client.post("/api/v3/receipts", json=b, headers=till) for b in bodies))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9
    assert await stored_counts(database) == (1, 1, 1)


async def test_idempotency_key_and_unique_receipt_id_work_together(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    first = await client.post("/api/v3/receipts", json=body, headers={**till, "Idempotency-Key": "k-1"})
    retried = await client.post("/api/v3/receipts", json=body, headers={**till, "Idempotency-Key": "k-1"})
    fresh_key = await client.post("/api/v3/receipts", json=body, headers={**till, "Idempotency-Key": "k-2"})
    assert first.status_code == 201
    assert retried.status_code == 201  # the generic replay repeats the first answer exactly
    assert retried.headers["idempotent-replayed"] == "true"
    assert fresh_key.status_code == 200  # a new key, but the receipt is known by its natural key
    assert fresh_key.headers["idempotent-replayed"] == "true"
    assert await stored_counts(database) == (1, 1, 1)


async def test_a_replay_after_the_contact_was_erased_is_still_the_stored_receipt(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    """The contact is matched before the receipt is looked up; a till retrying a receipt it
    sent before the erase must still hear that it was stored, not 404."""
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    first = await client.post("/api/v3/receipts", json=body, headers=till)
    assert first.status_code == 201
    erased = await client.delete(f"/api/v3/contacts/{contact}", headers=till)
    assert erased.status_code == 204

    again = await client.post("/api/v3/receipts", json=body, headers=till)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    changed = await client.post("/api/v3/receipts", json={**body, "receiptNumber": "other"}, headers=till)
    assert (changed.status_code, changed.json()["key"]) == (409, "ReceiptAlreadyExists")
    unknown = await client.post(
        "/api/v3/receipts", json={**body, "uniqueReceiptId": "never-sent"}, headers=till
    )
    assert (unknown.status_code, unknown.json()["key"]) == (404, "ContactNotFound")
    assert await stored_counts(database) == (1, 1, 1)
