"""Plain functions every domain's tests use to create contacts and stores through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

UNIQUE_KEYS = {"email", "mobilePhone", "externalId", "memberNumber", "cardId"}


async def make_contact(
    client: httpx.AsyncClient, headers: dict[str, str], **attributes: Any
) -> dict[str, Any]:
    """A new contact; given no unique key it gets a fresh e-mail address."""
    if not UNIQUE_KEYS & attributes.keys():
        attributes["email"] = f"c{uuid.uuid4().hex[:12]}@example.com"
    response = await client.post("/api/v3/contacts", json=attributes, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_contact_id(client: httpx.AsyncClient, headers: dict[str, str], **attributes: Any) -> str:
    return str((await make_contact(client, headers, **attributes))["id"])


async def make_store(
    client: httpx.AsyncClient, headers: dict[str, str], external_id: str = "S-1", type: str = "Physical"
) -> dict[str, Any]:
    body = {"externalId": external_id, "name": f"Store {external_id}", "type": type}
    response = await client.post("/api/v3/stores", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())
