"""Reading, updating, erasing and promoting a contact."""

from __future__ import annotations

import uuid

import httpx

from tests.contacts.factories import make_contact, make_store


async def test_create_with_everything_reads_back(
    client: httpx.AsyncClient, till: dict[str, str], admin: dict[str, str]
) -> None:
    await make_store(client, admin, "STO-1")
    body = {
        "firstName": "Ann",
        "lastName": "Berg",
        "email": "ann@example.com",
        "mobilePhone": "+46701234567",
        "birthDay": "1990-02-28",
        "countryCode": "se",
        "shoeSize": 38,
        "preferences": {"acceptsEmail": True, "acceptsSms": False},
        "consents": [{"id": "newsletter", "value": True, "date": "2026-01-01", "source": "web"}],
    }
    created = await client.post(
        "/api/v3/contacts", params={"storeExternalId": "STO-1"}, json=body, headers=till
    )
    assert created.status_code == 201, created.text
    contact = created.json()
    read = (await client.get(f"/api/v3/contacts/{contact['id']}", headers=till)).json()
    assert read == contact
    assert read["attributes"]["countryCode"] == "SE"
    assert read["attributes"]["shoeSize"] == 38
    assert read["meta"]["storeExternalId"] == "STO-1"
    assert read["preferences"] == {"acceptsEmail": True, "acceptsSms": False}
    assert read["consents"][0]["id"] == "newsletter"


async def test_unknown_store_is_404_and_stores_nothing(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v3/contacts", params={"storeExternalId": "nope"}, json={"email": "a@example.com"}, headers=till
    )
    assert response.status_code == 404
    assert response.json()["key"] == "StoreNotFound"
    lookup = await client.get("/api/v3/contacts/id", params={"email": "a@example.com"}, headers=till)
    assert lookup.status_code == 404


async def test_patch_changes_only_what_is_sent_and_null_clears(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till, email="a@example.com", firstName="Ann", city="Lund")
    patched = await client.patch(
        f"/api/v3/contacts/{contact['id']}",
        json={"firstName": "Anna", "city": None, "preferences": {"acceptsSms": True}},
        headers=till,
    )
    assert patched.status_code == 200
    assert patched.json()["attributes"] == {"email": "a@example.com", "firstName": "Anna"}
    assert patched.json()["preferences"] == {"acceptsSms": True}


async def test_erase_wipes_personal_data_and_frees_the_keys(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till, email="gone@example.com", firstName="Gone")
    erased = await client.delete(f"/api/v3/contacts/{contact['id']}", headers=till)
    assert erased.status_code == 204
    assert (await client.get(f"/api/v3/contacts/{contact['id']}", headers=till)).status_code == 404
    assert (await client.delete(f"/api/v3/contacts/{contact['id']}", headers=till)).status_code == 404
    again = await client.post("/api/v3/contacts", json={"email": "gone@example.com"}, headers=till)
    assert again.status_code == 201
    assert again.json()["id"] != contact["id"]


async def test_promote_to_member_needs_member_fields_then_refuses_twice(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till, externalId="E-9")
    missing = await client.post(f"/api/v3/contacts/{contact['id']}/promote-to-member", json={}, headers=till)
    assert missing.status_code == 400
    assert missing.json()["details"] == [{"field": "email", "message": "mandatory"}]
    promoted = await client.post(
        f"/api/v3/contacts/{contact['id']}/promote-to-member", json={"email": "m@example.com"}, headers=till
    )
    assert promoted.status_code == 200
    assert promoted.json()["meta"]["contactType"] == "Member"
    again = await client.post(f"/api/v2/contacts/{contact['id']}/promoteToMember", json={}, headers=till)
    assert again.status_code == 409
    assert again.json()["key"] == "AlreadyMember"


async def test_unknown_and_malformed_contact_ids(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    unknown = await client.get(f"/api/v3/contacts/{uuid.uuid4()}", headers=till)
    assert unknown.status_code == 404
    assert unknown.json()["key"] == "ContactNotFound"
    malformed = await client.get("/api/v3/contacts/not-a-guid", headers=till)
    assert malformed.status_code == 400
