"""Contact lookups and creation as Engage integrations call them, on both databases: a key
that names several contacts is a 409 listing them; POST /contacts takes source,
storeExternalId and createAsUnapproved as query parameters (v3) or headers (v2)."""

from __future__ import annotations

import httpx

from tests.factories import make_contact, make_store


async def test_a_lookup_that_matches_several_contacts_is_409_listing_them(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    ann = await make_contact(client, till, email="ann@example.com")
    bo = await make_contact(client, till, email="bo@example.com", externalId="ann@example.com")
    refused = await client.get("/api/v3/contacts/id", params={"any": "ann@example.com"}, headers=till)
    assert (refused.status_code, refused.json()["key"]) == (409, "MultipleMatchesFound")
    found = refused.json()["messageDetails"]["multipleMatchesFound"]
    assert sorted(found) == sorted([ann["id"], bo["id"]])
    assert refused.json()["details"] == refused.json()["messageDetails"]
    single = await client.get("/api/v3/contacts/id", params={"email": "bo@example.com"}, headers=till)
    assert single.json() == bo["id"]


async def test_create_takes_its_options_as_query_parameters_or_headers(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await make_store(client, admin, "S-9")
    v3 = await client.post(
        "/api/v3/contacts",
        params={"source": "pos", "storeExternalId": "S-9", "createAsUnapproved": "false"},
        json={"email": "c3@example.com"},
        headers=till,
    )
    v2 = await client.post(
        "/api/v2/contacts",
        json={"email": "c2@example.com"},
        headers={**till, "source": "webshop", "storeExternalId": "S-9", "createAsUnapproved": "True"},
    )
    assert (v3.status_code, v2.status_code) == (201, 201)
    assert v3.json()["meta"]["storeExternalId"] == v2.json()["meta"]["storeExternalId"] == "S-9"
    bad = await client.post(
        "/api/v3/contacts",
        params={"createAsUnapproved": "maybe"},
        json={"email": "c4@example.com"},
        headers=till,
    )
    assert bad.status_code == 400
    unknown_store = await client.post(
        "/api/v2/contacts", json={"email": "c5@example.com"}, headers={**till, "storeExternalId": "nope"}
    )
    assert unknown_store.status_code == 404
