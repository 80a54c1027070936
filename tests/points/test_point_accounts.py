"""Point accounts: definitions, transactions with per-row results, balances, pending and expired points."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact

NOW = datetime(2025, 3, 10, 12, tzinfo=UTC)


async def test_balance_pending_and_expiry_follow_the_clock(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    created = await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
    assert created.status_code == 200
    definition = created.json()["id"]
    assert isinstance(definition, int)
    rows = [
        {"contactId": contact, "definitionId": definition, "amount": 100},
        {
            "contactId": contact,
            "definitionId": definition,
            "amount": 30,
            "validTo": (NOW + timedelta(days=1)).isoformat(),
        },
        {
            "contactId": contact,
            "definitionId": definition,
            "amount": 50,
            "validFrom": (NOW + timedelta(days=5)).isoformat(),
        },
    ]
    with frozen_at(NOW):
        posted = await client.post(
            "/api/v3/point-accounts/transactions", json=rows, headers={**till, "Idempotency-Key": "p-1"}
        )
        assert posted.json() == {
            "notAccepted": [],
            "errorMessages": [],
            "missingDefinitionIds": [],
            "missingContactIds": [],
        }
        [account] = (
            await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
        ).json()
        # JSON numbers, as Engage renders points.
        assert (account["balance"], account["pendingPoints"]) == (130.0, 50.0)
        assert all(isinstance(account[name], float) for name in ("balance", "pendingPoints"))
        pending = await client.get(
            "/api/v3/point-accounts/transactions",
            params={"contactId": contact, "definitionId": definition, "filter": "Pending"},
            headers=till,
        )
        assert [t["amount"] for t in pending.json()["items"]] == [50.0]
    with frozen_at(NOW + timedelta(days=6)):
        one = (await client.get(f"/api/v3/point-accounts/{account['id']}", headers=till)).json()
        assert (one["balance"], one["pendingPoints"]) == (150.0, 0.0)
        active = await client.get(
            "/api/v3/point-accounts/transactions",
            params={"accountId": account["id"], "filter": "Active"},
            headers=till,
        )
        assert sorted(t["amount"] for t in active.json()["items"]) == [50.0, 100.0]


async def test_a_row_that_would_go_below_zero_is_not_accepted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    definition = (
        await client.post("/api/v3/point-accounts/definitions", json={"name": "Club"}, headers=admin)
    ).json()["id"]
    missing = str(uuid.uuid4())
    rows = [
        {"contactId": contact, "definitionId": definition, "amount": 40},
        {"contactId": contact, "definitionId": definition, "amount": -30},
        {"contactId": contact, "definitionId": definition, "amount": -20},
        {"contactId": missing, "definitionId": definition, "amount": 5},
        {"contactId": contact, "definitionId": 999999, "amount": 5},
    ]
    result = (await client.post("/api/v3/point-accounts/transactions", json=rows, headers=till)).json()
    assert [r["amount"] for r in result["notAccepted"]] in (
        ["5", "5", "-20"],
        [5, 5, -20],
        ["5.0", "5.0", "-20.0"],
    )
    assert result["missingContactIds"] == [missing]
    assert result["missingDefinitionIds"] == [999999]
    assert any("below zero" in message for message in result["errorMessages"])
    [account] = (
        await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    ).json()
    assert account["balance"] == 10.0
