"""Point accounts as Engage v3 integrations use them, on both databases: an account in every
definition from the start, transactions posted to an account (one object or an array) where a
repeated transactionId changes nothing, read back by account or contact; the same ledger as
/point-accounts/transactions."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.factories import make_contact_id


async def _definition(client: httpx.AsyncClient, admin: dict[str, str], name: str) -> int:
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": name}, headers=admin)
    assert made.status_code == 200, made.text
    return int(made.json()["id"])


async def _accounts(client: httpx.AsyncClient, till: dict[str, str], contact: str) -> list[dict[str, Any]]:
    found = await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    assert found.status_code == 200, found.text
    accounts: list[dict[str, Any]] = found.json()
    return accounts


def _tx(
    account: int, transaction_id: str, amount: object, kind: str = "Addition", **extra: object
) -> dict[str, object]:
    return {
        "accountId": account,
        "transactionId": transaction_id,
        "transactionType": kind,
        "amount": amount,
        **extra,
    }


async def test_every_contact_holds_an_account_in_every_definition_from_the_start(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    bonus, miles = await _definition(client, admin, "Bonus"), await _definition(client, admin, "Miles")
    contact = await make_contact_id(client, till)
    accounts = await _accounts(client, till, contact)
    assert sorted((a["definitionId"], a["balance"], a["pendingPoints"]) for a in accounts) == [
        (bonus, 0, 0),
        (miles, 0, 0),
    ]
    assert await _accounts(client, till, contact) == accounts
    v2 = (await client.get("/api/v2/point-accounts", params={"contactId": contact}, headers=till)).json()
    assert v2["totalCount"] == 2
    assert all(set(link) == {"href", "method", "rel"} for item in v2["items"] for link in item["links"])


async def test_a_single_object_is_posted_once_per_transaction_id(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _definition(client, admin, "Bonus")
    contact = await make_contact_id(client, till)
    [account] = await _accounts(client, till, contact)
    body = _tx(account["id"], "desk-1", "50", "addition", description="Goodwill", source="helpdesk")
    first = await client.post("/api/v3/point-transactions", json=body, headers=till)
    again = await client.post("/api/v3/point-transactions", json=body, headers=till)
    assert first.json() == {
        "accountId": account["id"],
        "transactionId": "desk-1",
        "status": "Added",
        "message": None,
    }
    assert again.json()["status"] == "AlreadyAdded"
    [read] = await _accounts(client, till, contact)
    assert read["balance"] == 50
    ledger = (
        await client.get(
            "/api/v3/point-accounts/transactions", params={"accountId": account["id"]}, headers=till
        )
    ).json()
    assert [(t["amount"], t["source"], t["description"]) for t in ledger["items"]] == [
        (50, "helpdesk", "Goodwill")
    ]


async def test_an_array_gets_an_outcome_per_row_and_no_balance_goes_below_zero(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _definition(client, admin, "Bonus")
    contact = await make_contact_id(client, till)
    [account] = await _accounts(client, till, contact)
    rows = [
        _tx(account["id"], "a", 30),
        _tx(account["id"], "b", 50, "Subtraction"),
        _tx(account["id"], "c", 20, "SUBTRACTION"),
        _tx(account["id"], "a", 30),
        _tx(999_999, "d", 1),
    ]
    outcomes = (await client.post("/api/v3/point-transactions", json=rows, headers=till)).json()
    assert [o["status"] for o in outcomes] == ["Added", "NotAccepted", "Added", "AlreadyAdded", "NotAccepted"]
    assert "below zero" in outcomes[1]["message"]
    [read] = await _accounts(client, till, contact)
    assert read["balance"] == 10
    # A refused row's id is free to use again.
    retried = await client.post(
        "/api/v3/point-transactions", json=_tx(account["id"], "b", 5, "Subtraction"), headers=till
    )
    assert retried.json()["status"] == "Added"


async def test_concurrent_posts_of_one_transaction_id_add_it_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _definition(client, admin, "Bonus")
    contact = await make_contact_id(client, till)
    [account] = await _accounts(client, till, contact)
    body = _tx(account["id"], "same", 10)
    answers = await asyncio.gather(
        *(client.post("/api/v3/point-transactions", json=body, headers=till) for _ in range(6))
    )
    assert sorted(a.json()["status"] for a in answers) == ["Added"] + ["AlreadyAdded"] * 5
    [read] = await _accounts(client, till, contact)
    assert read["balance"] == 10


async def test_transactions_read_by_account_or_contact_and_filter(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _definition(client, admin, "Bonus"), await _definition(client, admin, "Miles")
    contact = await make_contact_id(client, till)
    bonus, miles = sorted(await _accounts(client, till, contact), key=lambda a: a["definitionId"])
    rows = [
        _tx(bonus["id"], "now", 10),
        _tx(miles["id"], "later", 5, validFrom="2999-01-01T00:00:00Z"),
    ]
    await client.post("/api/v3/point-transactions", json=rows, headers=till)

    async def amounts(**query: object) -> list[float]:
        page = await client.get("/api/v3/point-transactions", params=query, headers=till)
        assert page.status_code == 200, page.text
        return [t["amount"] for t in page.json()["items"]]

    assert await amounts(contactId=contact) == [5, 10]
    assert await amounts(contactId=contact, filter="Pending") == [5]
    assert await amounts(contactId=contact, filter="pending") == [5]
    assert await amounts(accountId=bonus["id"], filter="Active") == [10]
    both = await client.get(
        "/api/v3/point-transactions", params={"contactId": contact, "accountId": bonus["id"]}, headers=till
    )
    assert both.status_code == 400


async def test_bad_rows_are_400s(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await _definition(client, admin, "Bonus")
    contact = await make_contact_id(client, till)
    [account] = await _accounts(client, till, contact)
    for bad in (
        _tx(account["id"], "x", 0),
        _tx(account["id"], "x", -5),
        _tx(account["id"], "x", 5, "Gift"),
        _tx(account["id"], "", 5),
        _tx(account["id"], "x", True),
    ):
        answer = await client.post("/api/v3/point-transactions", json=bad, headers=till)
        assert answer.status_code == 400, (bad, answer.text)
