"""Requests as production integrations send them, recorded byte for byte (a help desk, a web
shop), each getting the answer the integration reads: on both databases, in process."""

from __future__ import annotations

import json

import httpx

from tests.factories import make_contact_id


async def _bonus(client: httpx.AsyncClient, admin: dict[str, str]) -> int:
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    return int(made.json()["id"])


async def test_the_help_desk_reads_point_accounts_as_a_bare_array_and_posts_one_object(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    definition = await _bonus(client, admin)
    contact = await make_contact_id(client, till)
    read = await client.get(f"/api/v3/point-accounts?contactId={contact}", headers=till)
    accounts = read.json()
    assert isinstance(accounts, list)
    [account] = accounts
    assert (account["definitionId"], account["balance"]) == (definition, 0)
    recorded = (
        '{"accountId": ACCOUNT, "transactionId": "HD-7731", "transactionType": "Addition", "amount": 250,'
        ' "description": "Compensation for late delivery", "source": "Helpdesk",'
        ' "transactionDate": "2026-12-04T09:12:44.120Z", "validFrom": "2026-12-04T09:12:44.120Z",'
        ' "validTo": "2027-12-31T23:59:59Z"}'
    ).replace("ACCOUNT", str(account["id"]))
    posted = await client.post(
        "/api/v3/point-transactions", content=recorded, headers={**till, "content-type": "application/json"}
    )
    assert posted.status_code == 200
    assert posted.json()["status"] == "Added"
    [after] = (await client.get(f"/api/v3/point-accounts?contactId={contact}", headers=till)).json()
    assert after["balance"] == 250


async def test_the_help_desk_stores_and_reads_an_interaction_with_its_schema(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, till)
    schema = {
        "id": "complaint",
        "displayName": "Complaint",
        "showInContactCard": "true",
        "addToSegmentation": "false",
        "jsonSchema": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"subject": {"type": "string"}, "severity": {"type": "integer", "minimum": 1}},
            "required": ["subject"],
        },
    }
    assert (await client.post("/api/v3/interactionschemas", json=schema, headers=admin)).status_code == 201
    recorded = json.dumps(
        {
            "contactId": contact,
            "schemaId": "complaint",
            "createdDate": "2026-12-04T09:15:00+01:00",
            "payload": {"subject": "Broken zip", "severity": 2},
        }
    )
    stored = await client.post(
        "/api/v3/interactions", content=recorded, headers={**till, "content-type": "application/json"}
    )
    assert stored.status_code == 201, stored.text
    listed = (
        await client.get(f"/api/v3/interactions?contactId={contact}&schemaId=complaint", headers=till)
    ).json()
    assert [i["payload"]["subject"] for i in listed["data"]] == ["Broken zip"]
    assert listed["data"][0]["createdDate"] == "2026-12-04T08:15:00+00:00"


async def test_the_shop_posts_an_order_with_purchase_items_and_a_contactid_match_key(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, till)
    recorded = json.dumps(
        {
            "contact": {"matchKey": contact, "matchKeyType": "contactId"},
            "orderNumber": "100023411",
            "orderStatus": "Completed",
            "paymentStatus": "Paid",
            "createdDate": "2026-12-04T10:01:02+01:00",
            "storeId": "webshop-se",
            "currency": "SEK",
            "totalGrossPrice": "1049.00",
            "totalTax": "209.80",
            "freightFee": {"value": "49", "tax": "9.80", "taxPercent": "25"},
            "paymentMethods": [{"type": "Klarna", "value": "1049.00"}],
            "items": [
                {
                    "type": "Purchase",
                    "sku": "7391234",
                    "quantity": "2",
                    "grossPaidPrice": "1000.00",
                    "description": "Boots",
                }
            ],
        }
    )
    stored = await client.post(
        "/api/v2/orders", content=recorded, headers={**till, "content-type": "application/json"}
    )
    assert (stored.status_code, stored.json()) == (202, {"statusCode": "Accepted"})
    [order] = (await client.get(f"/api/v3/contacts/{contact}/orders", headers=till)).json()["items"]
    assert order["order"]["items"][0]["quantity"] == 2


async def test_the_shop_posts_a_pascal_case_cart(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    contact = await make_contact_id(client, till)
    recorded = json.dumps(
        {
            "CartReference": "b1f0c2",
            "ContactId": contact,
            "Time": "2026-12-04T10:20:00Z",
            "Language": "sv-SE",
            "Url": "https://shop.example/cart",
            "Items": [{"Sku": "7391234", "Quantity": 1}],
        }
    )
    taken = await client.post(
        "/api/v2/tracking/carts", content=recorded, headers={**till, "content-type": "application/json"}
    )
    assert (taken.status_code, taken.json()) == (200, {"request": {}})


async def test_enum_query_parameters_are_read_in_any_case(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, till)
    made = await client.post(
        "/api/v3/challenges/definitions",
        json={"name": "Stamps", "requiredNumberOfCheckpoints": 3, "status": "active"},
        headers=admin,
    )
    definition = made.json()["id"]
    await client.post(f"/api/v3/challenges/definitions/{definition}/assign?contactId={contact}", headers=till)
    active = await client.get(f"/api/v3/challenges?contactId={contact}&filter=active", headers=till)
    completed = await client.get(f"/api/v3/challenges?contactId={contact}&filter=COMPLETED", headers=till)
    assert [c["challengeId"] for c in active.json()["items"]] == [definition]
    assert completed.json()["items"] == []
    listed = await client.get("/api/v2/challenges/definitions?status=active", headers=till)
    assert [d["status"] for d in listed.json()["items"]] == ["Active"]
    refused = await client.get(f"/api/v3/challenges?contactId={contact}&filter=Sometimes", headers=till)
    assert refused.status_code == 400
