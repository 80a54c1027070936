"""A boolean is not a number: `true` where Patron expects an amount or a count is a 400 naming
the field (pydantic alone would read it as 1), while a numeric string is the number it spells,
as Engage clients send them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id
from tests.points.factories import make_point_definition
from tests.receipts.factories import line, make_store, receipt


async def test_a_checkpoint_amount_of_true_is_refused_and_counts_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    definition = await make_definition(client, admin)
    row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": True}
    refused = await client.post("/api/v3/challenges/checkpoints", json=[row], headers=till)
    assert refused.status_code == 400, refused.text
    assert "checkpointAmount" in refused.text
    assert await challenges_of(client, till, contact) == []
    counted = await client.post(
        "/api/v3/challenges/checkpoints", json=[{**row, "checkpointAmount": "2"}], headers=till
    )
    assert counted.status_code == 200, counted.text
    assert counted.json()["notAccepted"] == []
    assert [
        challenge["completedCheckpoints"] for challenge in await challenges_of(client, till, contact)
    ] == [2]


@pytest.mark.parametrize("field", ["quantity", "grossPaidPrice", "taxAmount"])
async def test_a_receipt_amount_of_true_is_refused_naming_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], field: str
) -> None:
    contact = await make_contact_id(client, admin)
    store = await make_store(client, admin)
    refused = await client.post(
        "/api/v3/receipts", json=receipt(contact, store, items=[line(**{field: True})]), headers=till
    )
    assert refused.status_code == 400, refused.text
    assert field in refused.text


async def test_a_point_amount_or_definition_of_true_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact_id(client, admin)
    definition = await make_point_definition(client, admin)
    row = {"contactId": contact, "definitionId": definition, "amount": 10, "source": "Manual"}
    for field in ("amount", "definitionId"):
        refused = await client.post(
            "/api/v3/point-accounts/transactions", json=[{**row, field: True}], headers=till
        )
        assert refused.status_code == 400, refused.text
        assert field in refused.text
    spelled = {**row, "amount": "10.5", "definitionId": str(definition)}
    posted = await client.post("/api/v3/point-accounts/transactions", json=[spelled], headers=till)
    assert posted.status_code == 200, posted.text
    assert posted.json()["notAccepted"] == []


@pytest.mark.parametrize(
    "fields",
    [
        {"requiredNumberOfCheckpoints": True},
        {"expirationMonths": True},
        {"checkpointAssignOn": True},
        {"checkpointAssignOn": "Amount", "checkpointAssignOnAmount": True},
        {"rewards": {"onCompletion": {"type": "points", "amount": True}}},
    ],
)
async def test_a_definition_count_of_true_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str], fields: dict[str, Any]
) -> None:
    body = {"name": "Stamp card", "requiredNumberOfCheckpoints": 5, **fields}
    refused = await client.post("/api/v3/challenges/definitions", json=body, headers=admin)
    assert refused.status_code == 400, refused.text
    assert next(iter(fields)) in refused.text
