"""Promotion definitions: drafts, reads, updates, activation, deactivation and deletion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, promotion_body

URL = "/api/v3/promotions/multichannels"

SEED_EXAMPLES: list[list[dict[str, Any]]] = [
    [
        {
            "type": "POS",
            "valueType": "EXTERNALOFFER",
            "value": "POS-CAMPAIGN-123",
            "instruction": "Example POS instruction",
        },
        {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "ECOM-CAMPAIGN-1337", "instruction": None},
    ],
    [{"type": "POS", "valueType": "PERCENT", "value": 15, "instruction": "POS instructions."}],
    [{"type": "POS", "valueType": "MONEY", "value": {"currency": "EUR", "amount": 10}, "instruction": None}],
]


@pytest.mark.parametrize("channels", SEED_EXAMPLES, ids=["EXTERNALOFFER", "PERCENT", "MONEY"])
async def test_the_seed_examples_round_trip(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], channels: list[dict[str, Any]]
) -> None:
    body = {
        "externalId": "externalIdentifier",
        "name": "Example promotion name",
        "validity": {"startDate": "2020-03-18", "assignedValidity": {"unit": "Months", "amount": 3}},
        "presentation": {
            "heading": "Example heading",
            "description": "Example description",
            "link": "http://www.example.com",
        },
        "redemptionChannels": [{k: v for k, v in c.items() if v is not None} for c in channels],
    }
    created = await client.post(URL, json=body, headers=admin)
    assert created.status_code == 200, created.text
    promotion = created.json()
    uuid.UUID(promotion["id"])
    assert promotion["status"] == "Draft"
    assert promotion["externalId"] == "externalIdentifier"
    assert promotion["validity"] == {
        "startDate": "2020-03-18T00:00:00+00:00",
        "endDate": None,
        "assignedValidity": {"unit": "Months", "amount": 3},
    }
    assert promotion["presentation"] == {**body["presentation"], "imageUrl": None}
    assert promotion["redemptionChannels"] == channels

    by_id = await client.get(f"{URL}/{promotion['id']}", headers=till)
    by_external = await client.get(URL, params={"externalId": "externalIdentifier"}, headers=till)
    assert by_id.json() == promotion == by_external.json()


async def test_an_end_date_renders_as_the_end_of_that_day(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = promotion_body(validity={"startDate": "2020-03-18", "endDate": "2020-06-18"})
    promotion = (await client.post(URL, json=body, headers=admin)).json()
    assert promotion["validity"] == {
        "startDate": "2020-03-18T00:00:00+00:00",
        "endDate": "2020-06-18T23:59:59+00:00",
        "assignedValidity": None,
    }


@pytest.mark.parametrize(
    "validity",
    [
        {"startDate": "2020-03-18T10:00:00+02:00", "endDate": "2020-06-18"},
        {"startDate": "2020-03-18", "endDate": "2020-06-18T00:00:00"},
        {
            "startDate": "2020-03-18",
            "endDate": "2020-06-18",
            "assignedValidity": {"unit": "Days", "amount": 2},
        },
        {"startDate": "2020-03-18"},
        {"startDate": "2020-03-18", "endDate": "9999-12-31"},
        {"startDate": "2020-03-18", "endDate": "2020-03-17"},
        {"startDate": "2020-03-18", "assignedValidity": {"unit": "Days", "amount": 0}},
        {"startDate": "2020-03-18", "assignedValidity": {"unit": "Fortnights", "amount": 1}},
    ],
    ids=[
        "time-in-start",
        "time-in-end",
        "both",
        "neither",
        "past-max-end",
        "end-before-start",
        "zero",
        "unit",
    ],
)
async def test_invalid_validity_is_400(
    client: httpx.AsyncClient, admin: dict[str, str], validity: dict[str, Any]
) -> None:
    response = await client.post(URL, json=promotion_body(validity=validity), headers=admin)
    assert response.status_code == 400, response.text
    assert response.json()["key"] == "BadRequest"


async def test_the_latest_end_date_is_accepted(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    body = promotion_body(validity={"startDate": "2020-03-18", "endDate": "9999-12-30"})
    response = await client.post(URL, json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["validity"]["endDate"] == "9999-12-30T23:59:59+00:00"


@pytest.mark.parametrize(
    "channel",
    [
        {"type": "POS", "valueType": "PERCENT", "value": 0},
        {"type": "POS", "valueType": "PERCENT", "value": 101},
        {"type": "POS", "valueType": "PERCENT", "value": "twenty"},
        {"type": "POS", "valueType": "PERCENT", "value": True},
        {"type": "POS", "valueType": "MONEY", "value": 10},
        {"type": "POS", "valueType": "MONEY", "value": {"currency": "EURO", "amount": 10}},
        {"type": "POS", "valueType": "MONEY", "value": {"currency": "EUR", "amount": -1}},
        {"type": "POS", "valueType": "MONEY", "value": {"currency": "EUR"}},
        {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": ""},
        {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": 5},
        {"type": "ECOM", "valueType": "MANUAL", "value": "Give a free bag"},
        {"type": "POS", "valueType": "MANUAL"},
        {"type": "WEB", "valueType": "PERCENT", "value": 10},
        {"type": "POS", "valueType": "FREEBIE", "value": 10},
    ],
)
async def test_invalid_channel_values_are_400(
    client: httpx.AsyncClient, admin: dict[str, str], channel: dict[str, Any]
) -> None:
    response = await client.post(URL, json=promotion_body(redemptionChannels=[channel]), headers=admin)
    assert response.status_code == 400, response.text


async def test_a_numeric_string_is_the_number_it_spells(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    channels = [
        {"type": "POS", "valueType": "PERCENT", "value": " 20 "},
        {"type": "ECOM", "valueType": "MONEY", "value": {"currency": "eur", "amount": "10.5"}},
    ]
    response = await client.post(URL, json=promotion_body(redemptionChannels=channels), headers=admin)
    assert response.status_code == 200, response.text
    assert [channel["value"] for channel in response.json()["redemptionChannels"]] == [
        20,
        {"currency": "EUR", "amount": 10.5},
    ]


async def test_manual_and_other_channels_are_kept(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    channels = [
        {"type": "POS", "valueType": "MANUAL", "value": "Give a free tote bag", "instruction": None},
        {
            "type": "OTHER",
            "valueType": "MONEY",
            "value": {"currency": "sek", "amount": 99.5},
            "instruction": "App",
        },
    ]
    promotion = (
        await client.post(URL, json=promotion_body(redemptionChannels=channels), headers=admin)
    ).json()
    assert promotion["redemptionChannels"][0] == channels[0]
    assert promotion["redemptionChannels"][1]["value"] == {"currency": "SEK", "amount": 99.5}


async def test_the_same_channel_type_twice_is_400(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    channel = {"type": "POS", "valueType": "PERCENT", "value": 10}
    response = await client.post(
        URL, json=promotion_body(redemptionChannels=[channel, channel]), headers=admin
    )
    assert response.status_code == 400


async def test_external_id_is_unique(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    assert (await client.post(URL, json=promotion_body(externalId="SO-1"), headers=admin)).status_code == 200
    again = await client.post(URL, json=promotion_body(externalId="SO-1"), headers=admin)
    assert again.status_code == 409
    assert again.json()["key"] == "PromotionAlreadyExists"


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    missing = await client.get(f"{URL}/{uuid.uuid4()}", headers=till)
    assert (missing.status_code, missing.json()["key"]) == (404, "PromotionNotFound")
    missing = await client.get(URL, params={"externalId": "nope"}, headers=till)
    assert (missing.status_code, missing.json()["key"]) == (404, "PromotionNotFound")
    assert (await client.get(f"{URL}/not-a-guid", headers=till)).status_code == 400


async def test_definition_changes_are_for_admins(client: httpx.AsyncClient, till: dict[str, str]) -> None:
    response = await client.post(URL, json=promotion_body(), headers=till)
    assert response.status_code == 403
    assert (await client.post(URL, json=promotion_body())).status_code == 401


async def test_a_draft_can_be_updated_wholly_and_its_validity_alone(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    draft = await make_promotion(client, admin, activate=False)
    # A read-back body, with Engage's example instants, is accepted: the dates are read locally.
    changed = {
        **draft,
        "name": "Promotion Name",
        "validity": {
            "startDate": "2019-10-15T11:18:50.5258317+00:00",
            "assignedValidity": {"unit": "Weeks", "amount": 2},
        },
        "redemptionChannels": [
            {"type": "POS", "valueType": "EXTERNALOFFER", "value": "PromotionCode123"},
            {"type": "ECOM", "valueType": "EXTERNALOFFER", "value": "PromotionCode123"},
        ],
    }
    updated = await client.put(f"{URL}/{draft['id']}", json=changed, headers=admin)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Promotion Name"
    assert updated.json()["validity"]["startDate"] == "2019-10-15T00:00:00+00:00"
    assert [c["type"] for c in updated.json()["redemptionChannels"]] == ["POS", "ECOM"]

    validity = {
        "startDate": "2019-10-14T09:18:50.885+00:00",
        "endDate": "2021-10-14T09:18:50.885+00:00",
        "assignedValidity": {"unit": "Months", "amount": 4},
    }
    response = await client.put(f"{URL}/{draft['id']}/validity", json=validity, headers=admin)
    assert response.status_code == 200, response.text
    expected = {
        "startDate": "2019-10-14T00:00:00+00:00",
        "endDate": "2021-10-14T23:59:59+00:00",
        "assignedValidity": {"unit": "Months", "amount": 4},
    }
    assert response.json() == expected
    assert (await client.get(f"{URL}/{draft['id']}/validity", headers=till)).json() == expected


async def test_only_drafts_change(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    active = await make_promotion(client, admin)
    body = promotion_body(name="Renamed")
    response = await client.put(f"{URL}/{active['id']}", json=body, headers=admin)
    assert (response.status_code, response.json()["key"]) == (409, "PromotionNotDraft")
    validity = {"startDate": "2020-01-01", "endDate": "2020-02-01"}
    response = await client.put(f"{URL}/{active['id']}/validity", json=validity, headers=admin)
    assert (response.status_code, response.json()["key"]) == (409, "PromotionNotDraft")
    again = await client.post(f"{URL}/{active['id']}/activate", headers=admin)
    assert (again.status_code, again.json()["key"]) == (409, "PromotionNotDraft")
    missing = await client.put(f"{URL}/{uuid.uuid4()}", json=body, headers=admin)
    assert (missing.status_code, missing.json()["key"]) == (404, "PromotionNotFound")


async def test_status_moves_with_the_clock(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    body = promotion_body(validity={"startDate": "2030-05-01", "endDate": "2030-05-31"})
    draft = (await client.post(URL, json=body, headers=admin)).json()
    with frozen_at(datetime(2030, 4, 1, tzinfo=UTC)):
        activated = await client.post(f"{URL}/{draft['id']}/activate", headers=admin)
        assert activated.json()["status"] == "Scheduled"
    with frozen_at(datetime(2030, 5, 1, tzinfo=UTC)):
        assert (await client.get(f"{URL}/{draft['id']}", headers=till)).json()["status"] == "Active"
    with frozen_at(datetime(2030, 6, 1, tzinfo=UTC)):
        assert (await client.get(f"{URL}/{draft['id']}", headers=till)).json()["status"] == "Ended"


async def test_deactivation_ends_a_promotion(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    draft = await make_promotion(client, admin, activate=False)
    refused = await client.post(f"{URL}/{draft['id']}/deactivate", headers=admin)
    assert (refused.status_code, refused.json()["key"]) == (409, "PromotionNotActive")
    await client.post(f"{URL}/{draft['id']}/activate", headers=admin)
    ended = await client.post(f"{URL}/{draft['id']}/deactivate", headers=admin)
    assert ended.status_code == 200
    assert ended.json()["status"] == "Ended"
    assert (await client.post(f"{URL}/{draft['id']}/deactivate", headers=admin)).json()["status"] == "Ended"


async def test_only_never_assigned_promotions_are_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    unused = await make_promotion(client, admin, externalId="unused")
    assert (await client.delete(URL, params={"externalId": "unused"}, headers=admin)).status_code == 204
    assert (await client.get(f"{URL}/{unused['id']}", headers=till)).status_code == 404

    draft = await make_promotion(client, admin, activate=False)
    assert (await client.delete(f"{URL}/{draft['id']}", headers=admin)).status_code == 204

    used = await make_promotion(client, admin)
    await make_assignment(client, admin, await make_contact(client, till), used["id"])
    refused = await client.delete(f"{URL}/{used['id']}", headers=admin)
    assert (refused.status_code, refused.json()["key"]) == (409, "PromotionHasAssignments")
    refused = await client.delete(URL, params={"externalId": used["externalId"]}, headers=admin)
    assert (refused.status_code, refused.json()["key"]) == (409, "PromotionHasAssignments")
    missing = await client.delete(f"{URL}/{uuid.uuid4()}", headers=admin)
    assert (missing.status_code, missing.json()["key"]) == (404, "PromotionNotFound")


async def test_v2_serves_the_same_promotions(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    created = await client.post("/api/v2/promotions/multichannels", json=promotion_body(), headers=admin)
    assert created.status_code == 200
    # The same promotion; v2 shows it as its clients' model has it, without presentation.imageUrl.
    v3 = (await client.get(f"{URL}/{created.json()['id']}", headers=admin)).json()
    assert "imageUrl" not in created.json()["presentation"]
    v3["presentation"].pop("imageUrl")
    assert v3 == created.json()
