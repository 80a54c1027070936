"""The contacts flow of the integration guide: look up, create, look up again."""

from __future__ import annotations

import httpx


async def test_lookup_create_lookup_finds_the_new_id(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    missing = await client.get("/api/v3/contacts/id", params={"email": "ann@example.com"}, headers=till)
    assert missing.status_code == 404
    assert missing.json()["key"] == "ContactNotFound"

    created = await client.post(
        "/api/v3/contacts", json={"email": "Ann@Example.com", "firstName": "Ann"}, headers=till
    )
    assert created.status_code == 201
    contact = created.json()
    assert contact["attributes"] == {"email": "ann@example.com", "firstName": "Ann"}
    assert contact["meta"]["contactType"] == "Contact"

    found = await client.get("/api/v3/contacts/id", params={"email": "ANN@example.com"}, headers=till)
    assert found.status_code == 200
    assert found.json() == contact["id"]


async def test_v2_serves_the_same_contacts(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    created = await client.post("/api/v2/contacts", json={"externalId": "E-1"}, headers=till)
    assert created.status_code == 201
    read = await client.get(f"/api/v3/contacts/{created.json()['id']}", headers=till)
    assert read.json()["attributes"]["externalId"] == "E-1"
