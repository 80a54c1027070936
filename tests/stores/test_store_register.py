"""The store register: create, read, replace, list, duplicates."""

from __future__ import annotations

import httpx

from tests.contacts.factories import make_store


async def test_store_round_trip_and_duplicate(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post(
        "/api/v3/stores",
        json={"externalId": "W1", "name": "Web", "type": "Online", "countryCode": "se", "email": "W@x.com"},
        headers=admin,
    )
    assert created.status_code == 201
    assert created.json() == {
        "externalId": "W1",
        "name": "Web",
        "city": None,
        "countryCode": "SE",
        "email": "w@x.com",
        "type": "Online",
    }
    duplicate = await client.post("/api/v3/stores", json={"externalId": "W1", "name": "Again"}, headers=admin)
    assert duplicate.status_code == 409
    assert duplicate.json()["key"] == "StoreAlreadyExists"
    replaced = await client.put(
        "/api/v3/stores/W1", json={"name": "Webshop", "type": "Online"}, headers=admin
    )
    assert replaced.json()["name"] == "Webshop"
    assert (await client.get("/api/v3/stores/W1", headers=admin)).json()["name"] == "Webshop"
    assert (await client.get("/api/v3/stores/nope", headers=admin)).status_code == 404
    assert (await client.put("/api/v3/stores/nope", json={"name": "x"}, headers=admin)).status_code == 404


async def test_store_list_pages_with_links(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for number in range(5):
        await make_store(client, admin, f"S{number}")
    first = (await client.get("/api/v3/stores", params={"count": 2}, headers=admin)).json()
    assert [store["externalId"] for store in first["items"]] == ["S0", "S1"]
    assert first["totalCount"] == 5
    assert first["count"] == 2
    assert first["links"] == [
        {"href": "", "method": "GET", "rel": "previous"},
        {"href": "http://patron.test/api/v3/stores?offset=2&count=2", "method": "GET", "rel": "next"},
    ]
    last = (await client.get("/api/v3/stores", params={"offset": 4, "count": 2}, headers=admin)).json()
    assert [store["externalId"] for store in last["items"]] == ["S4"]
    assert last["links"][0]["href"] == "http://patron.test/api/v3/stores?offset=2&count=2"
    assert last["links"][1]["href"] == ""
