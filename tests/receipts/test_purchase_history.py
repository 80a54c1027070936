"""A contact's transactions: paged newest first, with returns reducing the purchase summary."""

from __future__ import annotations

import httpx

from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt


async def _post(
    client: httpx.AsyncClient, till: dict[str, str], body: dict[str, object]
) -> dict[str, object]:
    response = await client.post("/api/v3/receipts", json=body, headers=till)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_transactions_are_paged_newest_first_with_the_paging_shape(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    other = await make_contact(client, till)
    days = [3, 1, 5, 2, 4]
    for day in days:
        await _post(client, till, receipt(contact, store, createdDate=f"2026-11-0{day}T10:00:00Z"))
    await _post(client, till, receipt(other, store))

    first = await client.get(f"/api/v3/contacts/{contact}/transactions", params={"count": 2}, headers=till)
    assert first.status_code == 200
    page = first.json()
    assert [item["createdDate"][:10] for item in page["items"]] == ["2026-11-05", "2026-11-04"]
    assert page["count"] == 2
    assert page["offset"] == 0
    assert page["totalCount"] == 5
    base = f"http://patron.test/api/v3/contacts/{contact}/transactions"
    assert page["links"] == [
        {"href": "", "method": "GET", "rel": "previous"},
        {"href": f"{base}?offset=2&count=2", "method": "GET", "rel": "next"},
    ]
    assert page["items"][0]["items"][0]["articleNumber"] == "A-1"

    last = await client.get(page["links"][1]["href"].replace("offset=2", "offset=4"), headers=till)
    assert [item["createdDate"][:10] for item in last.json()["items"]] == ["2026-11-01"]
    assert last.json()["links"][1]["href"] == ""


async def test_the_summary_counts_returns_against_the_total(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    await _post(
        client,
        till,
        receipt(
            contact,
            store,
            createdDate="2026-11-01T09:00:00Z",
            totalGrossPrice=250.5,
            items=[line(grossPaidPrice=200), line(articleNumber="A-2", grossPaidPrice=50.5)],
        ),
    )
    returned = await _post(
        client,
        till,
        receipt(
            contact,
            store,
            createdDate="2026-11-10T09:00:00Z",
            totalGrossPrice=-50.5,
            paymentMethods=[{"type": "Card", "value": -50.5}],
            items=[
                line(type="RETURN", articleNumber="A-2", quantity=-1, grossPaidPrice=-50.5, taxAmount=-10.1)
            ],
        ),
    )
    adjusted = await _post(
        client,
        till,
        receipt(
            contact,
            store,
            createdDate="2026-11-12T09:00:00Z",
            totalGrossPrice=-0.25,
            paymentMethods=[],
            items=[
                line(
                    type="ADJUSTMENT", articleNumber="ROUNDING", quantity=1, grossPaidPrice=-0.25, taxAmount=0
                )
            ],
        ),
    )
    assert returned["items"][0]["grossPaidPrice"] == -50.5
    assert adjusted["items"][0]["type"] == "ADJUSTMENT"

    history = (await client.get(f"/api/v3/contacts/{contact}/transactions", headers=till)).json()
    assert history["summary"] == {
        "receiptCount": 3,
        "totalGrossPrice": 199.75,
        "firstPurchaseOn": "2026-11-01T09:00:00+00:00",
        "lastPurchaseOn": "2026-11-12T09:00:00+00:00",
    }
    assert [item["items"][0]["type"] for item in history["items"]] == ["ADJUSTMENT", "RETURN", "PURCHASE"]


async def test_a_contact_without_receipts_has_an_empty_history(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    # v2 shows the page as its clients' PagedResultOfTransactionItem: no summary, no links.
    v2 = (await client.get(f"/api/v2/contacts/{contact}/transactions", headers=till)).json()
    assert v2 == {"items": [], "totalCount": 0, "offset": 0, "count": 0}
    history = (await client.get(f"/api/v3/contacts/{contact}/transactions", headers=till)).json()
    assert history["items"] == []
    assert history["totalCount"] == 0
    assert history["summary"] == {
        "receiptCount": 0,
        "totalGrossPrice": 0.0,
        "firstPurchaseOn": None,
        "lastPurchaseOn": None,
    }


async def test_the_contact_id_may_be_sent_in_the_query_string(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    await _post(client, till, receipt(contact, store))
    await _post(client, till, receipt(contact, store))
    params = {"contactId": contact, "count": 1}
    response = await client.get("/api/v3/contacts/transactions", params=params, headers=till)
    assert response.status_code == 200
    assert response.json()["totalCount"] == 2
    assert response.json()["links"][1]["href"] == (
        f"http://patron.test/api/v3/contacts/transactions?contactId={contact}&offset=1&count=1"
    )


async def test_transactions_of_an_unknown_contact_are_404(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    unknown = "6f0c6a1e-6d43-4a8e-9b7c-2b0b7a8f1c11"
    response = await client.get(f"/api/v3/contacts/{unknown}/transactions", headers=till)
    assert response.status_code == 404
    assert response.json()["key"] == "ContactNotFound"
    by_query = await client.get("/api/v3/contacts/transactions", params={"contactId": unknown}, headers=till)
    assert by_query.status_code == 404
    malformed = await client.get("/api/v3/contacts/transactions", params={"contactId": "nope"}, headers=till)
    assert malformed.status_code == 400
