"""Plain factories for challenge tests, through the public API."""

from __future__ import annotations

from typing import Any

import httpx


async def make_definition(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Dog food", "requiredNumberOfCheckpoints": 5, "status": "Active"}
    body.update(fields)
    response = await client.post("/api/v3/challenges/definitions", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def challenges_of(
    client: httpx.AsyncClient, headers: dict[str, str], contact_id: str, **query: str
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v3/challenges", params={"contactId": contact_id, **query}, headers=headers
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
