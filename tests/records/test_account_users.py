"""`account_user` records (API.md §2): members are Patron's contacts keyed by `externalId`;
integrations create and change them, admins erase them, staff list them with the list query,
an end user reads themselves and nobody else."""

from __future__ import annotations

import json

import httpx

from tests.records.factories import make_challenge, send_log

PATH = "/schema/account_user/record"


async def test_a_member_made_here_is_the_contact_every_dialect_sees(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    made = await client.post(
        PATH,
        json={
            "externalId": "AU-1",
            "firstName": "Ann",
            "email": "Ann@Example.com",
            "timeZone": "Europe/Oslo",
        },
        headers=till,
    )
    assert made.status_code == 201, made.text
    member = made.json()["data"]
    assert (member["externalId"], member["firstName"], member["email"], member["timeZone"]) == (
        "AU-1",
        "Ann",
        "ann@example.com",
        "Europe/Oslo",
    )
    contact = await client.get(f"/api/v3/contacts/{member['id']}", headers=till)
    assert contact.json()["attributes"]["externalId"] == "AU-1"
    # By id or by externalId; a log may name the member either way.
    for key in (member["id"], "AU-1"):
        read = await client.get(f"{PATH}/{key}", headers=admin)
        assert read.status_code == 200 and read.json()["data"]["id"] == member["id"]
    challenge = await make_challenge(client, admin)
    assert (await send_log(client, till, challenge["id"], "AU-1", "u", activityValue=5)).status_code == 201

    changed = await client.patch(
        f"{PATH}/AU-1", json={"lastName": "Berg", "timeZone": "Asia/Tokyo"}, headers=till
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["data"]["firstName"], changed.json()["data"]["lastName"]) == ("Ann", "Berg")
    assert (
        await client.patch(f"{PATH}/AU-1", json={"timeZone": "Nowhere/Zone"}, headers=till)
    ).status_code == 400
    taken = await client.post(PATH, json={"externalId": "AU-1"}, headers=till)
    assert taken.status_code == 409, taken.text
    assert (await client.post(PATH, json={"firstName": "No key"}, headers=till)).status_code == 400


async def test_members_are_listed_with_the_list_query(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    for n in range(5):
        assert (await client.post(PATH, json={"externalId": f"L-{n}"}, headers=till)).status_code == 201
    listed = await client.get(
        PATH,
        params={
            "filters": json.dumps({"field": "externalId", "op": "in", "value": ["L-1", "L-3", "L-9"]}),
            "sortBy": json.dumps([{"fieldSlug": "externalId", "order": "DESC"}]),
            "fetchTotalCount": "true",
        },
        headers=till,
    )
    assert listed.status_code == 200, listed.text
    assert [row["externalId"] for row in listed.json()["data"]] == ["L-3", "L-1"]
    assert listed.json()["paging"]["totalCount"] == 2
    unknown = await client.get(
        PATH, params={"filters": json.dumps({"field": "firstName", "op": "eq", "value": "x"})}, headers=till
    )
    assert unknown.status_code == 400 and "firstName" in unknown.text


async def test_who_may_do_what_with_members(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    own = (await client.post(PATH, json={"externalId": "OWN"}, headers=till)).json()["data"]
    other = (await client.post(PATH, json={"externalId": "OTHER"}, headers=till)).json()["data"]
    minted = await client.post("/api/v3/end-user-tokens", json={"contactId": own["id"]}, headers=till)
    assert minted.status_code in (200, 201), minted.text
    end_user = {"x-enduser-access-token": minted.json()["token"], "x-account-id": minted.json()["accountId"]}

    assert (await client.get(f"{PATH}/OWN", headers=end_user)).status_code == 200
    assert (await client.get(f"{PATH}/OTHER", headers=end_user)).status_code == 404
    assert [row["externalId"] for row in (await client.get(PATH, headers=end_user)).json()["data"]] == ["OWN"]
    assert (await client.get(f"{PATH}/OWN")).status_code == 404
    assert (await client.get(PATH)).json()["data"] == []
    for who, headers in (("end user", end_user), ("guest", {})):
        assert (await client.post(PATH, json={"externalId": "X"}, headers=headers)).status_code == 401, who
        assert (
            await client.patch(f"{PATH}/OWN", json={"firstName": "X"}, headers=headers)
        ).status_code == 401, who
    assert (await client.delete(f"{PATH}/OTHER", headers=till)).status_code == 403
    assert (await client.delete(f"{PATH}/OTHER", headers=admin)).status_code == 204
    # Erased: no personal data, not found by its externalId any more.
    assert (await client.get(f"{PATH}/OTHER", headers=admin)).status_code == 404
    assert (await client.get(f"{PATH}/{other['id']}", headers=admin)).status_code == 404
