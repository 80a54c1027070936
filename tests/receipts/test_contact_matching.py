"""A receipt finds its contact by every matchKeyType, and is refused when none matches."""

from __future__ import annotations

import httpx
import pytest

from patron.db.engine import Database
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows

ATTRIBUTES = {
    "email": "Mia@Example.com",
    "mobilePhone": "+46 70 123 45 67",
    "externalId": "EXT-9",
    "memberNumber": "M-100",
    "cardId": "CARD-55",
}


@pytest.mark.parametrize(
    ("match_key_type", "match_key"),
    [
        ("Email", "mia@EXAMPLE.com"),
        ("MobilePhone", "+46701234567"),
        ("ExternalId", "EXT-9"),
        ("MemberNumber", "M-100"),
        ("CardId", "CARD-55"),
        ("ContactId", None),
    ],
)
async def test_receipt_is_matched_to_the_contact_by_each_key_type(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    match_key_type: str,
    match_key: str | None,
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till, **ATTRIBUTES)
    await make_contact(client, till, email="someone.else@example.com", externalId="EXT-1")
    body = receipt(contact, store, contact={"matchKey": match_key or contact, "matchKeyType": match_key_type})
    created = await client.post("/api/v3/receipts", json=body, headers=till)
    assert created.status_code == 201, created.text
    assert created.json()["contactId"] == contact


@pytest.mark.parametrize(
    ("match_key_type", "match_key"),
    [
        ("Email", "nobody@example.com"),
        ("MobilePhone", "+46709999999"),
        ("MobilePhone", "not a phone"),
        ("ExternalId", "EXT-404"),
        ("MemberNumber", "M-404"),
        ("CardId", "CARD-404"),
        ("ContactId", "6f0c6a1e-6d43-4a8e-9b7c-2b0b7a8f1c11"),
    ],
)
async def test_unknown_contact_is_404_and_nothing_is_stored(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    match_key_type: str,
    match_key: str,
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till, **ATTRIBUTES)
    body = receipt(contact, store, contact={"matchKey": match_key, "matchKeyType": match_key_type})
    before = await stored_rows(database)
    response = await client.post("/api/v3/receipts", json=body, headers=till)
    assert response.status_code == 404
    assert response.json()["key"] == "ContactNotFound"
    assert await stored_rows(database) == before  # in every table


async def test_an_erased_contact_takes_no_receipts(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    assert (await client.delete(f"/api/v3/contacts/{contact}", headers=till)).status_code == 204
    before = await stored_rows(database)
    response = await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
    assert response.status_code == 404
    assert await stored_rows(database) == before  # in every table


async def test_unknown_store_is_404_and_nothing_is_stored(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    await make_store(client, admin)
    contact = await make_contact(client, till)
    before = await stored_rows(database)
    response = await client.post("/api/v3/receipts", json=receipt(contact, "NO-SUCH-STORE"), headers=till)
    assert response.status_code == 404
    assert response.json()["key"] == "StoreNotFound"
    assert await stored_rows(database) == before  # in every table
