"""Bulk create-or-update: 4000 rows, bad rows reported one by one, good rows stored."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest


async def wait_until_done(
    client: httpx.AsyncClient, headers: dict[str, str], batch_id: str
) -> dict[str, Any]:
    for _ in range(600):
        status = (
            await client.get("/api/v3/contacts/bulk/status", params={"batchId": batch_id}, headers=headers)
        ).json()
        if status["status"] in ("Done", "Failed"):
            return status  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise AssertionError(f"bulk import {batch_id} did not finish: {status}")


@pytest.mark.embedded_worker
async def test_bulk_import_of_4000_reports_each_bad_row_and_stores_the_good(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    existing = await client.post(
        "/api/v3/contacts", json={"externalId": "B-7", "firstName": "Old"}, headers=till
    )
    rows: list[Any] = [{"externalId": f"B-{n}", "firstName": f"Name {n}"} for n in range(4000)]
    bad = {13: {"externalId": "B-13", "email": "broken"}, 250: "not an object", 3999: {"firstName": "no key"}}
    for row, value in bad.items():
        rows[row] = value
    accepted = await client.post("/api/v3/contacts/bulk", json=rows, headers=till)
    assert accepted.status_code == 202
    batch_id = accepted.json()["batchId"]

    status = await wait_until_done(client, till, batch_id)
    assert status["status"] == "Done"
    assert status["total"] == 4000
    assert status["failed"] == 3
    assert status["succeeded"] == 3997
    assert [error["row"] for error in status["errors"]] == [13, 250, 3999]
    assert all(error["key"] == "BadRequest" and error["message"] for error in status["errors"])

    updated = await client.get(f"/api/v3/contacts/{existing.json()['id']}", headers=till)
    assert updated.json()["attributes"]["firstName"] == "Name 7"
    found = await client.get("/api/v3/contacts/id", params={"externalId": "B-3998"}, headers=till)
    assert found.status_code == 200
    missing = await client.get("/api/v3/contacts/id", params={"externalId": "B-13"}, headers=till)
    assert missing.status_code == 404


async def test_bulk_over_the_cap_is_413_and_queues_nothing(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    rows = [{"externalId": f"O-{n}"} for n in range(4001)]
    response = await client.post("/api/v3/contacts/bulk", json=rows, headers=till)
    assert response.status_code == 413
    assert response.json()["key"] == "PayloadTooLarge"


async def test_status_of_unknown_batch_is_404(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    response = await client.get(
        "/api/v3/contacts/bulk/status",
        params={"batchId": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
        headers=till,
    )
    assert response.status_code == 404
