"""Amounts at the ends of what Patron accepts, and the sums Patron computes from them.

Every accepted amount fits its column (NUMERIC(18, 4): less than 10^14 in magnitude), and a
sum of accepted rows (a contact's purchase total, a point account's balance) is exact and
readable however large it grows: PostgreSQL's numeric SUM has no bound, and on SQLite, where
amounts are integers of 1/10 000, Patron sums them with unbounded integers instead of SQLite's
64-bit SUM, which overflows at about 9.2 * 10^14.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from tests.factories import make_contact_id
from tests.points.factories import make_point_definition
from tests.receipts.factories import line, make_store, receipt

# Near the column's largest (99 999 999 999 999.9999): a JSON number is read as a double,
# exact to about 16 digits; the column's very largest is sent as a numeric string.
LARGEST = 99_999_999_999_999.98
LARGEST_TEXT = "99999999999999.9999"
LARGEST_POINTS = 9_999_999_999_999  # the largest point amount one transaction takes


async def test_a_purchase_total_beyond_the_column_is_summed_exactly(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    for _ in range(2):
        total = 6e13
        body = receipt(
            contact,
            store,
            totalGrossPrice=total,
            paymentMethods=[{"type": "Card", "value": total}],
            items=[line(grossPaidPrice=total, taxAmount=0, taxPercent=0)],
        )
        stored = await client.post("/api/v3/receipts", json=body, headers=till)
        assert stored.status_code == 201, stored.text
    history = await client.get(f"/api/v3/contacts/{contact}/transactions", headers=till)
    assert history.status_code == 200, history.text
    assert history.json()["summary"]["receiptCount"] == 2
    assert history.json()["summary"]["totalGrossPrice"] == 1.2e14


@pytest.mark.parametrize("field", ["totalGrossPrice", "grossPaidPrice", "quantity", "taxAmount"])
async def test_an_amount_beyond_the_column_is_refused_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], field: str
) -> None:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    body = receipt(contact, store)
    if field == "totalGrossPrice":
        body[field] = 1e14
    else:
        body["items"] = [line(**{field: 1e14})]
    refused = await client.post("/api/v3/receipts", json=body, headers=till)
    assert refused.status_code == 400, refused.text
    assert field in refused.text
    for total in (LARGEST, LARGEST_TEXT):
        largest = receipt(contact, store, totalGrossPrice=total)
        stored = await client.post("/api/v3/receipts", json=largest, headers=till)
        assert stored.status_code == 201, stored.text


async def test_a_balance_beyond_64_bits_of_units_stays_readable(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    definition = await make_point_definition(client, admin)
    credit = {"contactId": contact, "definitionId": definition, "amount": LARGEST_POINTS, "source": "Manual"}
    # 93 of the largest credits: 9.3 * 10^14 points, past what 64-bit units of 1/10 000 hold.
    posted = await client.post("/api/v3/point-accounts/transactions", json=[credit] * 93, headers=till)
    assert posted.status_code == 200, posted.text
    assert posted.json()["notAccepted"] == []
    accounts = await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    assert accounts.status_code == 200, accounts.text
    (account,) = accounts.json()
    assert Decimal(str(account["balance"])) == Decimal(LARGEST_POINTS) * 93
    one = await client.get(f"/api/v3/point-accounts/{account['id']}", headers=till)
    assert one.status_code == 200, one.text
    assert one.json()["balance"] == account["balance"]
    listed = await client.get(
        "/api/v3/point-accounts/transactions", params={"accountId": account["id"]}, headers=till
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["totalCount"] == 93
    # Spending from it still reads the whole balance.
    debit = {**credit, "amount": -LARGEST_POINTS}
    spent = await client.post("/api/v3/point-accounts/transactions", json=[debit], headers=till)
    assert spent.status_code == 200, spent.text
    assert spent.json()["notAccepted"] == []


async def test_a_point_amount_beyond_a_transaction_is_refused_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    definition = await make_point_definition(client, admin)
    row = {"contactId": contact, "definitionId": definition, "amount": 1e13 + 1, "source": "Manual"}
    refused = await client.post("/api/v3/point-accounts/transactions", json=[row], headers=till)
    assert refused.status_code == 400, refused.text
    assert "amount" in refused.text
