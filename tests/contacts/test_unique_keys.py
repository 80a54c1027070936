"""Unique keys: one contact per e-mail (any case), phone number (any format), and id."""

from __future__ import annotations

import httpx
import pytest

from tests.contacts.factories import make_contact


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [
        ({"email": "ann@example.com"}, {"email": "ANN@Example.COM"}, "email"),
        ({"email": "john@example.com"}, {"email": "\uff4aohn@example.com"}, "email"),  # a full-width j
        ({"email": "strasse@example.com"}, {"email": "STRASSE@example.com"}, "email"),
        ({"email": "gro\u00df@example.com"}, {"email": "GROSS@example.com"}, "email"),  # ß folds to ss
        ({"mobilePhone": "+46 70 123 45 67"}, {"mobilePhone": "0046701234567"}, "mobilePhone"),
        ({"externalId": "X-1"}, {"externalId": "X-1"}, "externalId"),
        ({"memberNumber": "M-1"}, {"memberNumber": "M-1"}, "memberNumber"),
        ({"cardId": "C-1"}, {"cardId": "C-1"}, "cardId"),
    ],
)
async def test_taken_unique_key_is_409_with_the_existing_id(
    client: httpx.AsyncClient, till: dict[str, str], first: dict[str, str], second: dict[str, str], key: str
) -> None:
    existing = await make_contact(client, till, **first)
    clash = await client.post("/api/v3/contacts", json=second, headers=till)
    assert clash.status_code == 409
    body = clash.json()
    assert body["key"] == "ContactAlreadyExists"
    assert body["details"] == {"contactId": existing["id"], "key": key}


async def test_phone_is_stored_normalised_and_found_in_any_format(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    contact = await make_contact(client, till, mobilePhone="+46 (0)70-123 45 67")
    assert contact["attributes"]["mobilePhone"] == "+46701234567"
    found = await client.get("/api/v3/contacts/id", params={"mobilePhone": "0046 70 1234567"}, headers=till)
    assert found.json() == contact["id"]


async def test_patch_onto_a_taken_key_is_409_and_changes_nothing(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    first = await make_contact(client, till, email="a@example.com")
    second = await make_contact(client, till, email="b@example.com", firstName="Bo")
    clash = await client.patch(
        f"/api/v3/contacts/{second['id']}", json={"email": "A@example.com", "firstName": "X"}, headers=till
    )
    assert clash.status_code == 409
    assert clash.json()["details"]["contactId"] == first["id"]
    unchanged = await client.get(f"/api/v3/contacts/{second['id']}", headers=till)
    assert unchanged.json()["attributes"] == {"email": "b@example.com", "firstName": "Bo"}


async def test_lookup_by_any_key_and_contact_type(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    contact = await make_contact(client, till, email="z@example.com", memberNumber="777")
    assert (await client.get("/api/v3/contacts/id", params={"any": "777"}, headers=till)).json() == contact[
        "id"
    ]
    assert (
        await client.get("/api/v3/contacts/id", params={"any": "Z@example.com"}, headers=till)
    ).json() == contact["id"]
    typed = await client.get(
        "/api/v3/contacts/id", params={"any": "777", "contactType": "Member"}, headers=till
    )
    assert typed.status_code == 404
    no_key = await client.get("/api/v3/contacts/id", headers=till)
    assert no_key.status_code == 400
