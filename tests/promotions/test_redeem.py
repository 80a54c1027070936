"""Redeeming an assignment: every answer the endpoint gives, and the request that produces it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem

TWO_CHANNELS = [
    {"type": "POS", "valueType": "PERCENT", "value": 10},
    {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "WEB10"},
]


async def _assignment(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], **promotion: object
) -> dict:
    contact = await make_contact(client, till)
    created = await make_promotion(client, admin, **promotion)
    return await make_assignment(client, admin, contact, created["id"])


async def test_redeeming_answers_with_the_redeemed_assignment(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till, redemptionChannels=TWO_CHANNELS)
    with frozen_at(datetime(2025, 5, 3, 13, 39, 49, tzinfo=UTC)):
        response = await redeem(client, till, assignment["id"], "ECOM")
    assert response.status_code == 200, response.text
    assert response.json() == {**assignment, "redeemed": True, "redeemedOn": "2025-05-03T13:39:49+00:00"}


async def test_a_second_redeem_is_409_already_redeemed(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    assert (await redeem(client, till, assignment["id"])).status_code == 200
    again = await redeem(client, till, assignment["id"])
    assert (again.status_code, again.json()["key"]) == (409, "PromotionAlreadyRedeemed")


async def test_malformed_id_or_no_data_is_400_invalid_promotion_id_no_data(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    url = f"/api/v3/promotion-assignments/{assignment['id']}/redeem"
    for response in [
        await redeem(client, till, "not-a-guid"),
        await client.post(url, headers=till),
        await client.post(url, json={}, headers=till),
        await client.post(url, json={"redemptionChannel": None}, headers=till),
    ]:
        assert (response.status_code, response.json()["key"]) == (400, "InvalidPromotionIdNoData"), (
            response.text
        )


async def test_a_channel_other_than_pos_or_ecom_is_400(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    for channel in ["OTHER", "pos", "WEB", 5]:
        response = await redeem(client, till, assignment["id"], channel)
        assert (response.status_code, response.json()["key"]) == (400, "NotAValidRedemptionChannel")


async def test_an_unknown_assignment_is_404_promotion_not_found(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    response = await redeem(client, till, str(uuid.uuid4()))
    assert (response.status_code, response.json()["key"]) == (404, "PromotionNotFound")


async def test_another_contacts_assignment_is_404_not_associated(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    stranger = await make_contact(client, till)
    response = await redeem(client, till, assignment["id"], contactId=stranger)
    assert (response.status_code, response.json()["key"]) == (404, "PromotionNotAssociatedWithContact")
    malformed = await redeem(client, till, assignment["id"], contactId="nobody")
    assert (malformed.status_code, malformed.json()["key"]) == (400, "InvalidContactId")
    # Nothing was redeemed by the refused requests.
    assert (await redeem(client, till, assignment["id"])).status_code == 200


async def test_the_owner_may_be_named(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    promotion = await make_promotion(client, admin)
    assignment = await make_assignment(client, admin, contact, promotion["id"])
    assert (await redeem(client, till, assignment["id"], contactId=contact)).status_code == 200


async def test_a_channel_the_promotion_lacks_is_409(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    response = await redeem(client, till, assignment["id"], "ECOM")
    assert (response.status_code, response.json()["key"]) == (409, "PromotionNotValidForRedemptionChannel")


async def test_an_expired_assignment_is_409_expired(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    validity = {"startDate": "2024-01-01", "assignedValidity": {"unit": "Days", "amount": 1}}
    with frozen_at(datetime(2024, 6, 1, 8, tzinfo=UTC)):
        assignment = await _assignment(client, admin, till, validity=validity)
    with frozen_at(datetime(2024, 6, 3, 0, 0, tzinfo=UTC)):
        response = await redeem(client, till, assignment["id"])
    assert (response.status_code, response.json()["key"]) == (409, "PromotionExpired")


async def test_an_ended_promotion_is_409_expired(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    await client.post(
        f"/api/v3/promotions/multichannels/{assignment['promotionId']}/deactivate", headers=admin
    )
    response = await redeem(client, till, assignment["id"])
    assert (response.status_code, response.json()["key"]) == (409, "PromotionExpired")


async def test_a_promotion_that_has_not_started_is_409_not_active(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(
        client, admin, till, validity={"startDate": "2032-01-01", "endDate": "2032-02-01"}
    )
    response = await redeem(client, till, assignment["id"])
    assert (response.status_code, response.json()["key"]) == (409, "PromotionNotActive")


async def test_redeeming_needs_a_key(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    assert (await redeem(client, {}, assignment["id"])).status_code == 401
