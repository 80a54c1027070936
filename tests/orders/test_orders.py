"""Orders through the API on both databases: matched to their contact by any key in any case,
replaced when posted again with the same orderNumber, read per contact, told as events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from patron.db.engine import Database
from tests.factories import make_contact
from tests.outbox.test_events import events, of_type


def order(match_key: str, match_key_type: str = "contactId", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contact": {"matchKey": match_key, "matchKeyType": match_key_type},
        "orderNumber": "O-1001",
        "orderStatus": "Confirmed",
        "paymentStatus": "Paid",
        "createdDate": "2026-12-01T10:00:00+01:00",
        "storeId": "WEB",
        "currency": "sek",
        "totalGrossPrice": "299.50",
        "items": [{"type": "Purchase", "sku": "SKU-1", "quantity": "1", "grossPaidPrice": 299.5}],
        "paymentMethods": [{"type": "Card", "value": 299.5}],
    }
    body.update(overrides)
    return body


async def test_an_order_with_purchase_items_and_a_contactid_key_is_stored(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    contact = str((await make_contact(client, till))["id"])
    stored = await client.post("/api/v3/orders", json=order(contact), headers=till)
    assert stored.status_code == 202, stored.text
    assert stored.json() | {"id": None} == {
        "statusCode": "Accepted",
        "id": None,
        "orderNumber": "O-1001",
        "contactId": contact,
        "created": True,
    }
    listed = (await client.get(f"/api/v3/contacts/{contact}/orders", headers=till)).json()
    [found] = listed["items"]
    assert found["order"]["items"][0]["type"] == "PURCHASE"
    assert (found["order"]["currency"], found["order"]["totalGrossPrice"]) == ("SEK", 299.5)
    assert [e.data["orderNumber"] for e in of_type(await events(database, contact), "order.created")] == [
        "O-1001"
    ]


async def test_the_same_order_number_replaces_the_order(
    client: httpx.AsyncClient, till: dict[str, str], database: Database
) -> None:
    contact = await make_contact(client, till, email=f"o{uuid.uuid4().hex[:8]}@example.com")
    await client.post("/api/v3/orders", json=order(contact["id"]), headers=till)
    again = await client.post(
        "/api/v3/orders",
        json=order(contact["attributes"]["email"], "EMAIL", orderStatus="Shipped"),
        headers=till,
    )
    assert again.json()["created"] is False
    listed = (await client.get(f"/api/v3/contacts/{contact['id']}/orders", headers=till)).json()
    assert [o["order"]["orderStatus"] for o in listed["items"]] == ["Shipped"]
    assert len(of_type(await events(database, contact["id"]), "order.updated")) == 1


async def test_v2_answers_its_clients_status_code_result(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = str((await make_contact(client, till))["id"])
    stored = await client.post("/api/v2/orders", json=order(contact, "ContactId"), headers=till)
    assert (stored.status_code, stored.json()) == (202, {"statusCode": "Accepted"})


async def test_an_order_of_another_contact_s_number_is_refused(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    first, second = [str((await make_contact(client, till))["id"]) for _ in range(2)]
    await client.post("/api/v3/orders", json=order(first), headers=till)
    refused = await client.post("/api/v3/orders", json=order(second), headers=till)
    assert refused.status_code == 400
    listed = (await client.get(f"/api/v3/contacts/{second}/orders", headers=till)).json()
    assert listed["items"] == []


async def test_bad_orders_are_400s_and_unknown_contacts_404s(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = str((await make_contact(client, till))["id"])
    for bad in (
        order(contact, "Shoe size"),
        order(contact, items=[{"type": "Gift", "sku": "A", "quantity": 1}]),
        order(contact, totalGrossPrice=True),
        order("not-a-guid"),
    ):
        answer = await client.post("/api/v3/orders", json=bad, headers=till)
        assert answer.status_code == 400, answer.text
    missing = await client.post("/api/v3/orders", json=order(str(uuid.uuid4())), headers=till)
    assert (missing.status_code, missing.json()["key"]) == (404, "ContactNotFound")
