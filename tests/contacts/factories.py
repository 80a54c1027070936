"""Plain functions that create contacts and stores through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


async def make_contact(
    client: httpx.AsyncClient, headers: dict[str, str], **attributes: Any
) -> dict[str, Any]:
    if not {"email", "mobilePhone", "externalId", "memberNumber", "cardId"} & attributes.keys():
        attributes["email"] = f"c{uuid.uuid4().hex[:12]}@example.com"
    response = await client.post("/api/v3/contacts", json=attributes, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def make_store(
    client: httpx.AsyncClient, headers: dict[str, str], external_id: str = "S1", type: str = "Physical"
) -> dict[str, Any]:
    body = {"externalId": external_id, "name": f"Store {external_id}", "type": type}
    response = await client.post("/api/v3/stores", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
