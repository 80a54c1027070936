"""Malformed receipts are 400 in the error envelope, and nothing of them is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from patron.db.engine import Database
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt, stored_counts
from tests.stored_rows import stored_rows

Body = dict[str, Any]


def without(field: str) -> Callable[[Body], Body]:
    def change(body: Body) -> Body:
        body.pop(field)
        return body

    return change


def with_(**fields: Any) -> Callable[[Body], Body]:
    def change(body: Body) -> Body:
        body.update(fields)
        return body

    return change


def with_line(**fields: Any) -> Callable[[Body], Body]:
    return with_(items=[line(**fields)])


def line_without(field: str) -> Callable[[Body], Body]:
    def change(body: Body) -> Body:
        body["items"][0].pop(field)
        return body

    return change


MALFORMED: dict[str, Callable[[Body], Body]] = {
    "missing uniqueReceiptId": without("uniqueReceiptId"),
    "missing receiptNumber": without("receiptNumber"),
    "missing createdDate": without("createdDate"),
    "missing storeExternalId": without("storeExternalId"),
    "missing currency": without("currency"),
    "missing totalGrossPrice": without("totalGrossPrice"),
    "missing contact": without("contact"),
    "missing paymentMethods": without("paymentMethods"),
    "missing items": without("items"),
    "empty items": with_(items=[]),
    "a time where a date-time is required": with_(createdDate="14:05:00"),
    "a bare date where a date-time is required": with_(createdDate="2026-11-20"),
    "a number where a date-time is required": with_(createdDate=1763647500),
    "an impossible date-time": with_(createdDate="2026-02-30T10:00:00Z"),
    "totalGrossPrice as text": with_(totalGrossPrice="a hundred"),
    "totalGrossPrice with five decimals": with_(totalGrossPrice=1.23456),
    "currency not three letters": with_(currency="KRONOR"),
    "unknown matchKeyType": with_(contact={"matchKey": "x", "matchKeyType": "Nickname"}),
    "ContactId that is not a GUID": with_(contact={"matchKey": "not-a-guid", "matchKeyType": "ContactId"}),
    "contact as a string": with_(contact="someone"),
    "items as an object": with_(items={"type": "PURCHASE"}),
    "negative quantity on a PURCHASE line": with_line(quantity=-1),
    "negative price on a PURCHASE line": with_line(grossPaidPrice=-10),
    "positive price on a RETURN line": with_line(type="RETURN", quantity=-1, grossPaidPrice=10),
    "unknown line type": with_line(type="GIFT"),
    "line without articleNumber": line_without("articleNumber"),
    "line without quantity": line_without("quantity"),
    "quantity as text": with_line(quantity="two"),
    "tax percent over 100": with_line(taxPercent=125),
    "discount without value": with_line(discounts=[{"type": "Campaign"}]),
    "usedPromotions with a malformed id": with_(usedPromotions=[{"promotionId": "PROMO-1"}]),
    "payment value as text": with_(paymentMethods=[{"type": "Card", "value": "lots"}]),
    "10 000 lines": with_(items=[line() for _ in range(10_000)]),
}


@pytest.mark.parametrize("change", list(MALFORMED.values()), ids=list(MALFORMED))
async def test_malformed_receipt_is_400_and_stores_nothing(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    change: Callable[[Body], Body],
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    before = await stored_rows(database)
    response = await client.post("/api/v3/receipts", json=change(receipt(contact, store)), headers=till)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == 400
    assert error["key"] == "BadRequest"
    assert error["details"]
    assert await stored_rows(database) == before  # in every table


async def test_a_body_that_is_not_json_is_400(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    response = await client.post(
        "/api/v3/receipts", content=b"{not json", headers={**till, "content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_the_line_cap_itself_is_accepted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store, totalGrossPrice=1000 * 100.0, items=[line() for _ in range(1000)])
    response = await client.post("/api/v3/receipts", json=body, headers=till)
    assert response.status_code == 201
    assert await stored_counts(database) == (1, 1000, 1)
