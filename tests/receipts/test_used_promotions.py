"""A receipt's usedPromotions: linked to the contact's offers, which count as redeemed once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem
from tests.receipts.factories import receipt

BOTH_CHANNELS: list[dict[str, Any]] = [
    {"type": "POS", "valueType": "PERCENT", "value": 20},
    {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "WEB-20"},
]


async def _offer(client: httpx.AsyncClient, admin: dict[str, str], contact_id: str) -> str:
    promotion = await make_promotion(client, admin, redemptionChannels=BOTH_CHANNELS)
    return str((await make_assignment(client, admin, contact_id, promotion["id"]))["id"])


async def _listed(client: httpx.AsyncClient, till: dict[str, str], contact_id: str) -> dict[str, Any]:
    items = (
        await client.get("/api/v3/promotion-assignments", params={"contactId": contact_id}, headers=till)
    ).json()
    return {item["id"]: item for item in items}


async def test_offer_used_at_the_till_is_redeemed_by_the_receipt(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await client.post(
        "/api/v3/stores", json={"externalId": "S-1", "name": "Till", "type": "Physical"}, headers=admin
    )
    contact_id = await make_contact(client, till)
    used, unused = await _offer(client, admin, contact_id), await _offer(client, admin, contact_id)
    body = receipt(contact_id, "S-1", usedPromotions=[{"promotionId": used}])
    stored = await client.post("/api/v3/receipts", json=body, headers=till)
    assert stored.status_code == 201, stored.text
    assert stored.json()["usedPromotions"] == [{"promotionId": used}]

    listed = await _listed(client, till, contact_id)
    assert listed[used]["redeemed"] is True
    assert listed[used]["redeemedOn"] is not None
    assert listed[unused]["redeemed"] is False
    again = await redeem(client, till, used, "POS")
    assert again.status_code == 409
    assert again.json()["key"] == "PromotionAlreadyRedeemed"

    replay = await client.post("/api/v3/receipts", json=body, headers=till)
    assert replay.status_code == 200
    assert (await _listed(client, till, contact_id))[used]["redeemedOn"] == listed[used]["redeemedOn"]


async def test_offer_used_online_is_redeemed_in_the_ecom_channel(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Any
) -> None:
    from sqlalchemy import select

    from patron.db.session import transaction
    from patron.models import PromotionAssignment

    await client.post(
        "/api/v3/stores", json={"externalId": "W-1", "name": "Web", "type": "Online"}, headers=admin
    )
    contact_id = await make_contact(client, till)
    used = await _offer(client, admin, contact_id)
    stored = await client.post(
        "/api/v3/receipts",
        json=receipt(contact_id, "W-1", usedPromotions=[{"promotionId": used}]),
        headers=till,
    )
    assert stored.status_code == 201, stored.text
    async with transaction(database, write=False) as session:
        assignment = (await session.execute(select(PromotionAssignment))).scalars().one()
    assert str(assignment.id) == used
    assert assignment.redemption_channel == "ECOM"


async def test_another_contacts_offer_on_a_receipt_stays_unredeemed(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    await client.post("/api/v3/stores", json={"externalId": "S-1", "name": "Till"}, headers=admin)
    buyer, other = await make_contact(client, till), await make_contact(client, till)
    others_offer = await _offer(client, admin, other)
    stored = await client.post(
        "/api/v3/receipts",
        json=receipt(buyer, "S-1", usedPromotions=[{"promotionId": others_offer}]),
        headers=till,
    )
    assert stored.status_code == 201
    assert (await _listed(client, till, other))[others_offer]["redeemed"] is False
