"""POST /receipts/bulk and its status: accepted at once, recorded by the worker through the
receipt service, per-row results, each receipt once, and a batch seen by its own key only."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from patron.auth.roles import Role
from patron.db.session import transaction
from patron.models import Receipt
from patron.state import AppState
from tests.conftest import issue_token
from tests.factories import make_contact_id
from tests.receipts.factories import make_store, receipt
from tests.stored_rows import stored_rows


async def _settled(client: httpx.AsyncClient, headers: dict[str, str], batch_id: str) -> dict[str, Any]:
    for _ in range(600):
        answer = await client.get(
            "/api/v3/receipts/bulk/status", params={"batchId": batch_id}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        if answer.json()["status"] in ("Done", "Failed"):
            return dict(answer.json())
        await asyncio.sleep(0.05)
    raise AssertionError("the batch was not recorded")


@pytest.mark.embedded_worker
async def test_a_batch_is_recorded_in_the_background_with_a_result_per_row(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    bodies = [receipt(contact, store) for _ in range(3)]
    stored = await client.post("/api/v3/receipts", json=bodies[0], headers=till)
    bodies += [receipt(contact, "nowhere"), {"uniqueReceiptId": "half"}, "not an object"]
    accepted = await client.post("/api/v3/receipts/bulk", json=bodies, headers=till)
    assert accepted.status_code == 202, accepted.text
    result = await _settled(client, till, accepted.json()["batchId"])
    assert (result["total"], result["succeeded"], result["failed"]) == (6, 3, 3)
    outcomes = [(row["row"], row["outcome"], row["key"]) for row in result["results"]]
    assert outcomes == [
        (0, "Replayed", None),
        (1, "Created", None),
        (2, "Created", None),
        (3, "Failed", "StoreNotFound"),
        (4, "Failed", "BadRequest"),
        (5, "Failed", "BadRequest"),
    ]
    assert result["results"][0]["receiptId"] == stored.json()["id"]
    assert [error["row"] for error in result["errors"]] == [3, 4, 5]
    async with transaction(state.database, write=False) as session:
        assert (await session.execute(select(func.count()).select_from(Receipt))).scalar_one() == 3


@pytest.mark.embedded_worker
async def test_the_same_batch_again_stores_nothing_more(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact_id(client, till)
    bodies = [receipt(contact, store) for _ in range(4)]
    first = await client.post("/api/v3/receipts/bulk", json=bodies, headers=till)
    await _settled(client, till, first.json()["batchId"])
    before = await stored_rows(state.database)
    second = await client.post("/api/v3/receipts/bulk", json=bodies, headers=till)
    result = await _settled(client, till, second.json()["batchId"])
    assert {row["outcome"] for row in result["results"]} == {"Replayed"}
    after = await stored_rows(state.database)
    assert {table: count for table, count in after.items() if table != "receipt_batches"} == {
        table: count for table, count in before.items() if table != "receipt_batches"
    }


async def test_an_empty_or_oversized_batch_is_refused(
    client: httpx.AsyncClient, till: dict[str, str], state: AppState
) -> None:
    empty = await client.post("/api/v3/receipts/bulk", json=[], headers=till)
    assert (empty.status_code, empty.json()["key"]) == (400, "BadRequest")
    limit = state.settings.bulk_max_receipts
    too_many = await client.post("/api/v3/receipts/bulk", json=[{}] * (limit + 1), headers=till)
    assert (too_many.status_code, too_many.json()["key"]) == (413, "PayloadTooLarge")
    not_a_list = await client.post("/api/v3/receipts/bulk", json={"uniqueReceiptId": "x"}, headers=till)
    assert not_a_list.status_code == 400


@pytest.mark.embedded_worker
async def test_another_key_cannot_see_a_batch(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    accepted = await client.post("/api/v3/receipts/bulk", json=[{"uniqueReceiptId": "x"}], headers=till)
    other = {"apikey": await issue_token(state.database, Role.INTEGRATION, "other till")}
    seen = await client.get(
        "/api/v3/receipts/bulk/status", params={"batchId": accepted.json()["batchId"]}, headers=other
    )
    assert (seen.status_code, seen.json()["key"]) == (404, "BatchNotFound")
    assert (await _settled(client, admin, accepted.json()["batchId"]))["failed"] == 1
