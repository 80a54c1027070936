"""Posting a receipt stores it with its lines, payments and discounts, and reads it back."""

from __future__ import annotations

import httpx

from patron.db.engine import Database
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt, stored_counts


async def test_a_receipt_is_stored_and_read_back_with_lines_payments_and_discounts(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(
        contact,
        store,
        totalGrossPrice=149.9,
        exchangeRateToGroupCurrency=0.0912345678,
        paymentMethods=[
            {"type": "Card", "value": 100},
            {"type": "GiftCard", "value": 49.9, "description": "GC-7"},
        ],
        items=[
            line(
                grossPaidPrice=99.95, discounts=[{"value": 10, "type": "Campaign", "description": "Autumn"}]
            ),
            line(
                articleNumber="A-2",
                sku="SKU-2",
                quantity=2.5,
                grossPaidPrice=49.95,
                extraData={"colour": "red"},
            ),
        ],
        usedPromotions=[{"promotionId": "6f0c6a1e-6d43-4a8e-9b7c-2b0b7a8f1c11"}],
        extraData={"cashier": "Eva"},
    )
    created = await client.post("/api/v3/receipts", json=body, headers=till)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["contactId"] == contact
    assert out["totalGrossPrice"] == 149.9
    assert out["exchangeRateToGroupCurrency"] == 0.0912345678
    assert [item["grossPaidPrice"] for item in out["items"]] == [99.95, 49.95]
    assert out["items"][0]["discounts"] == [{"value": 10.0, "type": "Campaign", "description": "Autumn"}]
    assert out["items"][1]["quantity"] == 2.5
    assert out["items"][1]["extraData"] == {"colour": "red"}
    assert out["paymentMethods"][1] == {"type": "GiftCard", "value": 49.9, "description": "GC-7"}
    assert out["usedPromotions"] == [{"promotionId": "6f0c6a1e-6d43-4a8e-9b7c-2b0b7a8f1c11"}]
    assert out["createdDate"].startswith("2026-11-20T13:05:00")  # deployment zone UTC
    assert out["links"] == [
        {"href": f"http://patron.test/api/v3/receipts/{out['id']}", "method": "GET", "rel": "self"}
    ]

    read = await client.get(f"/api/v3/receipts/{out['id']}", headers=till)
    assert read.status_code == 200
    assert read.json() == out
    assert await stored_counts(database) == (1, 2, 2)


async def test_v2_serves_receipts_too(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    created = await client.post("/api/v2/receipts", json=receipt(contact, store), headers=till)
    assert created.status_code == 201
    read = await client.get(f"/api/v2/receipts/{created.json()['id']}", headers=till)
    assert read.json()["links"][0]["href"].startswith("http://patron.test/api/v2/receipts/")


async def test_unknown_receipt_id_is_404_and_malformed_is_400(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    missing = await client.get("/api/v3/receipts/6f0c6a1e-6d43-4a8e-9b7c-2b0b7a8f1c11", headers=till)
    assert missing.status_code == 404
    assert missing.json()["key"] == "ReceiptNotFound"
    malformed = await client.get("/api/v3/receipts/not-a-guid", headers=till)
    assert malformed.status_code == 400


async def test_a_receipt_needs_credentials(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v3/receipts", json={})
    assert response.status_code == 401


async def test_a_value_the_database_refuses_is_400_and_nothing_is_stored(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database, backend: str
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    # The first receipt reads which definitions listen (kept for a while); the next one is a
    # statement that commits by itself, the path under test.
    assert (
        await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
    ).status_code == 201
    body = receipt(contact, store, items=[line(articleName="Trail \u0000 shoe")])
    response = await client.post("/api/v3/receipts", json=body, headers=till)
    if backend == "sqlite":  # SQLite stores NUL characters
        assert response.status_code == 201
        return
    assert response.status_code == 400, response.text
    assert response.json()["key"] == "BadRequest"
    assert await stored_counts(database) == (1, 1, 1)
    # The same receipt without it goes in: the failed statement left nothing behind.
    body["items"] = [line()]
    assert (await client.post("/api/v3/receipts", json=body, headers=till)).status_code == 201
