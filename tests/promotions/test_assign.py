"""Assigning a promotion to a contact, and the contact's list of promotions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem

ASSIGN = "/api/v3/promotion-assignments"
TWO_CHANNELS = [
    {"type": "POS", "valueType": "EXTERNALOFFER", "value": "10056", "instruction": None},
    {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "10056", "instruction": None},
]


async def test_an_assignment_has_the_seed_item_shape(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    promotion = await make_promotion(
        client,
        admin,
        name="3 for 2 Jeans",
        presentation={
            "heading": "H",
            "description": "D",
            "link": "https://shop.example",
            "imageUrl": "https://img.example/1.jpg",
        },
        validity={"startDate": "2024-01-01", "assignedValidity": {"unit": "Months", "amount": 1}},
    )
    with frozen_at(datetime(2024, 1, 31, 12, 0, tzinfo=UTC)):
        assignment = await make_assignment(client, admin, contact, promotion["id"])
    assert set(assignment) == {
        "id",
        "promotionId",
        "externalId",
        "type",
        "name",
        "expiresOn",
        "heading",
        "description",
        "redeemed",
        "redeemedOn",
        "imageUrl",
        "link",
        "redemptionChannels",
    }
    assert assignment["promotionId"] == promotion["id"]
    assert assignment["externalId"] == promotion["externalId"]
    assert assignment["type"] == "Multichannel"
    assert assignment["name"] == "3 for 2 Jeans"
    assert (assignment["heading"], assignment["description"]) == ("H", "D")
    assert (assignment["link"], assignment["imageUrl"]) == (
        "https://shop.example",
        "https://img.example/1.jpg",
    )
    assert (assignment["redeemed"], assignment["redeemedOn"]) == (False, None)
    # One month from 31 January 2024: the end of 29 February, in the deployment's zone.
    assert assignment["expiresOn"] == "2024-02-29T23:59:59+00:00"
    assert assignment["redemptionChannels"] == promotion["redemptionChannels"]


async def test_expiry_is_capped_by_the_promotion_end(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    promotion = await make_promotion(
        client, admin, validity={"startDate": "2024-01-01", "endDate": "2024-02-10"}
    )
    with frozen_at(datetime(2024, 1, 31, 12, 0, tzinfo=UTC)):
        assignment = await make_assignment(client, admin, contact, promotion["id"])
    assert assignment["expiresOn"] == "2024-02-10T23:59:59+00:00"


async def test_assigning_again_returns_the_unredeemed_assignment(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    promotion = await make_promotion(client, admin)
    first = await make_assignment(client, admin, contact, promotion["id"])
    assert (await make_assignment(client, admin, contact, promotion["id"]))["id"] == first["id"]
    assert (await redeem(client, till, first["id"])).status_code == 200
    fresh = await make_assignment(client, admin, contact, promotion["id"])
    assert fresh["id"] != first["id"]
    assert fresh["redeemed"] is False


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"contactId": "not-a-guid", "promotionId": "{promotion}"}, 400, "InvalidContactId"),
        ({"contactId": 42, "promotionId": "{promotion}"}, 400, "InvalidContactId"),
        ({"promotionId": "{promotion}"}, 400, "InvalidContactId"),
        ({"contactId": "{contact}", "promotionId": "nope"}, 400, "InvalidPromotionId"),
        ({"contactId": "{contact}"}, 400, "InvalidPromotionId"),
        ({"contactId": "{random}", "promotionId": "{promotion}"}, 404, "ContactNotFound"),
        ({"contactId": "{contact}", "promotionId": "{random}"}, 404, "PromotionNotFound"),
        ({"contactId": "{contact}", "promotionId": "{draft}"}, 409, "PromotionNotActive"),
        ({"contactId": "{contact}", "promotionId": "{ended}"}, 409, "PromotionNotActive"),
    ],
)
async def test_assignment_errors(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    body: dict[str, Any],
    status: int,
    key: str,
) -> None:
    ended = await make_promotion(client, admin)
    await client.post(f"/api/v3/promotions/multichannels/{ended['id']}/deactivate", headers=admin)
    values = {
        "{contact}": await make_contact(client, till),
        "{promotion}": (await make_promotion(client, admin))["id"],
        "{draft}": (await make_promotion(client, admin, activate=False))["id"],
        "{ended}": ended["id"],
        "{random}": str(uuid.uuid4()),
    }
    sent = {
        name: values.get(value, value) if isinstance(value, str) else value for name, value in body.items()
    }
    response = await client.post(ASSIGN, json=sent, headers=admin)
    assert (response.status_code, response.json()["key"]) == (status, key), response.text


async def test_assigning_is_for_admins(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    promotion = await make_promotion(client, admin)
    body = {"contactId": await make_contact(client, till), "promotionId": promotion["id"]}
    assert (await client.post(ASSIGN, json=body, headers=till)).status_code == 403


async def test_a_scheduled_promotion_can_be_assigned_but_is_not_listed_before_it_starts(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    promotion = await make_promotion(
        client, admin, validity={"startDate": "2031-01-01", "endDate": "2031-12-31"}
    )
    assert promotion["status"] == "Scheduled"
    assignment = await make_assignment(client, admin, contact, promotion["id"])
    assert (await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json() == []
    with frozen_at(datetime(2031, 1, 1, tzinfo=UTC)):
        listed = (await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json()
    assert [item["id"] for item in listed] == [assignment["id"]]


async def test_the_list_keeps_redeemed_and_drops_expired_ended_and_other_contacts(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact, other = await make_contact(client, till), await make_contact(client, till)
    days = {"startDate": "2024-01-01", "assignedValidity": {"unit": "Days", "amount": 10}}
    with frozen_at(datetime(2024, 3, 1, 10, tzinfo=UTC)):
        short = await make_assignment(
            client, admin, contact, (await make_promotion(client, admin, validity=days))["id"]
        )
        redeemed = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])
        assert (await redeem(client, till, redeemed["id"])).status_code == 200
        ended = await make_promotion(client, admin)
        await make_assignment(client, admin, contact, ended["id"])
        await client.post(f"/api/v3/promotions/multichannels/{ended['id']}/deactivate", headers=admin)
        await make_assignment(client, admin, other, (await make_promotion(client, admin))["id"])

        listed = (await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json()
        by_id = {item["id"]: item for item in listed}
        assert set(by_id) == {short["id"], redeemed["id"]}
        assert by_id[redeemed["id"]]["redeemed"] is True
        assert by_id[redeemed["id"]]["redeemedOn"] is not None
    # Day 10 ends at 23:59:59 on 11 March; a second later the assignment is gone.
    with frozen_at(datetime(2024, 3, 11, 23, 59, 59, tzinfo=UTC)):
        assert len((await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json()) == 2
    with frozen_at(datetime(2024, 3, 12, 0, 0, 0, tzinfo=UTC)):
        listed = (await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json()
        assert [item["id"] for item in listed] == [redeemed["id"]]


async def test_the_channel_filter_lists_promotions_usable_there_with_all_their_channels(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    both = await make_assignment(
        client, admin, contact, (await make_promotion(client, admin, redemptionChannels=TWO_CHANNELS))["id"]
    )
    pos_only = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])

    async def listed(**query: str) -> list[dict[str, Any]]:
        response = await client.get(ASSIGN, params={"contactId": contact, **query}, headers=till)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()
        return items

    assert [i["id"] for i in await listed()] == [both["id"], pos_only["id"]]
    assert [i["id"] for i in await listed(redemptionChannelType="POS")] == [both["id"], pos_only["id"]]
    ecom = await listed(redemptionChannelType="ECOM")
    assert [i["id"] for i in ecom] == [both["id"]]
    assert ecom[0]["redemptionChannels"] == TWO_CHANNELS
    assert await listed(redemptionChannelType="OTHER") == []
    bad = await client.get(
        ASSIGN, params={"contactId": contact, "redemptionChannelType": "WEB"}, headers=till
    )
    assert bad.status_code == 400

    same = await client.get(
        f"/api/v3/contacts/{contact}/promotions", params={"redemptionChannelType": "ECOM"}, headers=till
    )
    assert same.status_code == 200
    assert same.json() == ecom
    assert (await client.get(f"/api/v2/contacts/{contact}/promotions", headers=till)).json() == await listed()


async def test_listing_errors(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    for url, params in [
        (ASSIGN, {"contactId": "x"}),
        ("/api/v3/contacts/x/promotions", {}),
    ]:
        response = await client.get(url, params=params, headers=till)
        assert (response.status_code, response.json()["key"]) == (400, "InvalidContactId")
    for url, params in [
        (ASSIGN, {"contactId": str(uuid.uuid4())}),
        (f"/api/v3/contacts/{uuid.uuid4()}/promotions", {}),
    ]:
        response = await client.get(url, params=params, headers=till)
        assert (response.status_code, response.json()["key"]) == (404, "ContactNotFound")
    assert (await client.get(ASSIGN, headers=till)).status_code == 400
    contact = await make_contact(client, till)
    assert (await client.get(ASSIGN, params={"contactId": contact}, headers=till)).json() == []
