"""Concurrent debits on one balance never take it below zero; exactly the debits that fit are taken.

Each debit is its own request, sent all at once. `post_transactions` locks the accounts (in id
order) before it reads their balances, so the debits of one account are applied one after the
other and each is checked against the balance the ones before it left. The schema alone does not
promise that: a ledger row is a plain insert, and two transactions that both read the balance
before either writes would both be accepted and spend the same points.

The ledger is checked row by row: its rows in id order (the order they were written under the
lock) are the credits and accepted debits, no more, and their running sum never dips below zero.

PostgreSQL: a real race, the application's connection pool serves the requests at once.
SQLite: the requests of one process take turns on the database's write lock (BEGIN IMMEDIATE),
so that variant shows the accounting of interleaved requests is exact, not that the lock is needed.
"""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal
from typing import Any

import httpx

from tests.factories import make_contact_id as make_contact


async def _definition(client: httpx.AsyncClient, admin: dict[str, str]) -> int:
    created = await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    assert created.status_code == 200, created.text
    return int(created.json()["id"])


async def _post(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, definition: int, amount: int
) -> bool:
    """One row in its own request; whether it was accepted."""
    answer = await client.post(
        "/api/v3/point-accounts/transactions",
        json=[{"contactId": contact, "definitionId": definition, "amount": amount}],
        headers=till,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["missingContactIds"], body["missingDefinitionIds"]) == ([], [])
    if body["notAccepted"]:
        assert [row["amount"] for row in body["notAccepted"]] in ([amount], [str(amount)], [float(amount)])
        assert "cannot go below zero" in body["errorMessages"][0]
        return False
    return True


async def _ledger(
    client: httpx.AsyncClient, till: dict[str, str], contact: str
) -> tuple[list[Decimal], Decimal]:
    """The account's rows in the order they were written, and its balance."""
    [account] = (
        await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    ).json()
    rows: list[dict[str, Any]] = (
        await client.get(
            "/api/v3/point-accounts/transactions",
            params={"accountId": account["id"], "filter": "Active", "count": 1000},
            headers=till,
        )
    ).json()["items"]
    rows.sort(key=lambda row: int(row["id"]))
    for row in rows:
        assert row["type"] == ("Credit" if Decimal(str(row["amount"])) > 0 else "Debit"), row
    return [Decimal(str(row["amount"])) for row in rows], Decimal(str(account["balance"]))


def _never_below_zero(amounts: list[Decimal]) -> None:
    running = Decimal(0)
    for n, amount in enumerate(amounts):
        running += amount
        assert running >= 0, f"after row {n} of {amounts} the balance is {running}"


async def test_twenty_concurrent_debits_of_ten_on_a_hundred_take_exactly_ten(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    definition = await _definition(client, admin)
    assert await _post(client, till, contact, definition, 100)

    accepted = await asyncio.gather(*(_post(client, till, contact, definition, -10) for _ in range(20)))

    assert sum(accepted) == 10
    amounts, balance = await _ledger(client, till, contact)
    assert amounts == [Decimal(100)] + [Decimal(-10)] * 10
    assert sum(amounts, Decimal(0)) == balance == 0


async def test_concurrent_credits_and_debits_take_only_the_debits_the_balance_covers(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """Balance 30; 10 credits of 5 and 20 debits of 10 at once, shuffled. Every credit is taken.
    Since the balance is 30 + 5 x credits before - 10 x debits before, a debit is refused only
    when fewer than 10 points are left: at least 3 debits fit, and at most 8 (30 + 50 points).
    The ledger holds exactly the rows answered as accepted, and read in the order they were
    written its balance never dips below zero."""
    contact = await make_contact(client, till)
    definition = await _definition(client, admin)
    assert await _post(client, till, contact, definition, 30)
    amounts_sent = [5] * 10 + [-10] * 20
    random.Random(3).shuffle(amounts_sent)

    accepted = await asyncio.gather(*(_post(client, till, contact, definition, a) for a in amounts_sent))

    taken = [amount for amount, ok in zip(amounts_sent, accepted, strict=True) if ok]
    assert all(ok for amount, ok in zip(amounts_sent, accepted, strict=True) if amount > 0)
    debits = taken.count(-10)
    assert 3 <= debits <= 8, taken
    amounts, balance = await _ledger(client, till, contact)
    assert sorted(amounts) == sorted(Decimal(a) for a in [30, *taken])
    assert len(amounts) == 1 + 10 + debits
    assert sum(amounts, Decimal(0)) == balance == 30 + 50 - 10 * debits
    _never_below_zero(amounts)
