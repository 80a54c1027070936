"""`GET /widget/offers`: a member's own open offers, with the end-user token as the credential."""

from __future__ import annotations

import uuid

import httpx

from tests.promotions.factories import make_promotion


async def _member_with_offer(
    client: httpx.AsyncClient, admin: dict[str, str], heading: str
) -> tuple[str, str]:
    external_id = f"M-{uuid.uuid4().hex[:8]}"
    created = await client.post(
        "/api/v3/contacts",
        headers=admin,
        json={"firstName": "Ola", "externalId": external_id, "email": f"{external_id}@example.com"},
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    promotion = await make_promotion(client, admin, presentation={"heading": heading})
    assigned = await client.post(
        "/api/v3/promotion-assignments",
        headers=admin,
        json={"contactId": contact_id, "promotionId": promotion["id"]},
    )
    assert assigned.status_code in (200, 201), assigned.text
    minted = await client.post("/api/v3/end-user-tokens", headers=admin, json={"contactId": contact_id})
    assert minted.status_code == 200, minted.text
    return contact_id, minted.json()["token"]


async def test_a_member_reads_their_own_offers_and_nobody_elses(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    _, token = await _member_with_offer(client, admin, "Ola's ten off")
    await _member_with_offer(client, admin, "Somebody else's offer")
    answer = await client.get(
        "/widget/offers", headers={"x-enduser-access-token": token, "x-account-id": "patron"}
    )
    assert answer.status_code == 200, answer.text
    assert [offer["heading"] for offer in answer.json()["data"]] == ["Ola's ten off"]


async def test_without_a_valid_end_user_token_it_is_401(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.get("/widget/offers")).status_code == 401
    forged = await client.get(
        "/widget/offers", headers={"x-enduser-access-token": "not.a.jwt", "x-account-id": "patron"}
    )
    assert forged.status_code == 401
    # An API key is not a member.
    assert (await client.get("/widget/offers", headers=admin)).status_code == 401
