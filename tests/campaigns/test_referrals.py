"""A referral: A refers B, B signs up with A's code and completes the rule; both are rewarded
once, and A's referral list shows B."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from patron.db.engine import Database
from patron.models import Reward
from tests.campaigns.factories import basic, make_campaign, progress, send_event


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


def referral_campaign() -> dict[str, Any]:
    return {
        "name": "Invite a friend",
        "type": "referral",
        "rules": [
            {
                "name": "Friend's first order",
                "reward": {"type": "points", "amount": 25},
                "actions": [{"event_name": "order_success", "target": 1}],
            }
        ],
    }


async def _rewarded(database: Database) -> list[tuple[str, str]]:
    async with database.read_engine.connect() as connection:
        rows = (
            await connection.execute(
                select(Reward.contact_id, Reward.threshold).where(Reward.source_type == "campaign_rule")
            )
        ).all()
    return sorted((str(row[0]), row[1]) for row in rows)


async def test_a_refers_b_and_both_are_rewarded_once(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], database: Database
) -> None:
    campaign = await make_campaign(client, admin, **referral_campaign())
    made = await client.post(
        "/customers", json={"source_id": "A", "referral_code": "ANNA-2026"}, headers=shop
    )
    assert made.status_code == 201, made.text
    a = made.json()
    checked = (await client.get("/customers/validate-code/ANNA-2026", headers=shop)).json()
    assert checked == {"valid": True, "referral_code": "ANNA-2026", "source_id": "A", "customer_id": a["id"]}

    # An order before B is referred counts for nobody in a referral campaign.
    await send_event(client, shop, "order_success", "B", event_id="early")
    await send_event(client, shop, "signup", "B", metadata={"referral_code": "ANNA-2026"})
    listed = (await client.get("/customers/referral/list/A", headers=shop)).json()
    assert [(r["source_id"], r["status"]) for r in listed["referrals"]] == [("B", "signed_up")]
    assert (await client.get("/customers/B", headers=shop)).json()["referred_by"] == "A"

    for attempt in ("o-1", "o-1", "o-2"):
        await send_event(client, shop, "order_success", "B", event_id=attempt)
    b = (await client.get("/customers/B", headers=shop)).json()
    assert await _rewarded(database) == sorted(
        [(_contact(a["id"]), "referrer"), (_contact(b["id"]), "referee")]
    )
    listed = (await client.get("/customers/referral/list/A", headers=shop)).json()
    assert listed["total"] == 1 and listed["referrals"][0]["status"] == "completed"

    [as_referrer] = await progress(client, shop, "A", campaign_id=campaign["campaign_id"])
    assert as_referrer["referral_role"] == "referrer"
    assert as_referrer["rules"][0]["actions"][0]["status"] == "completed"
    [as_referee] = await progress(client, shop, "B", campaign_type="referral")
    assert as_referee["referral_role"] == "referee"
    for source_id in ("A", "B"):
        wallets = (await client.get(f"/wallets/customer/{source_id}", headers=shop)).json()["wallets"]
        assert [w["balance"] for w in wallets] == [25]


def _contact(customer_id: str) -> str:
    hex_id = customer_id.removeprefix("cust_")
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"


async def test_a_second_signup_code_and_ones_own_code_change_nothing(
    client: httpx.AsyncClient, shop: dict[str, str]
) -> None:
    for source_id, code in (("A", "CODE-A"), ("C", "CODE-C")):
        made = await client.post(
            "/customers", json={"source_id": source_id, "referral_code": code}, headers=shop
        )
        assert made.status_code == 201
    await send_event(client, shop, "signup", "A", metadata={"referral_code": "CODE-A"})
    await send_event(client, shop, "signup", "B", metadata={"referral_code": "CODE-A"})
    await send_event(client, shop, "signup", "B", metadata={"referral_code": "CODE-C"})
    assert (await client.get("/customers/A", headers=shop)).json()["referred_by"] is None
    assert (await client.get("/customers/B", headers=shop)).json()["referred_by"] == "A"
    assert (await client.get("/customers/referral/list/C", headers=shop)).json()["referrals"] == []


async def test_customer_upsert_codes_and_refusals(client: httpx.AsyncClient, shop: dict[str, str]) -> None:
    first = await client.post(
        "/customers", json={"source_id": "U-1", "metadata": {"tier": "gold"}}, headers=shop
    )
    assert first.status_code == 201
    drawn = first.json()["referral_code"]
    assert len(drawn) == 8
    again = await client.post(
        "/customers",
        json={"source_id": "U-1", "metadata": {"city": "Leiden"}, "referral_code": "U1-CODE"},
        headers=shop,
    )
    assert again.status_code == 200
    assert again.json()["metadata"] == {"tier": "gold", "city": "Leiden"}
    assert again.json()["referral_code"] == "U1-CODE" and again.json()["id"] == first.json()["id"]
    gone = await client.get(f"/customers/validate-code/{drawn}", headers=shop)
    assert gone.status_code == 404 and gone.json()["key"] == "not_found"
    taken = await client.post(
        "/customers", json={"source_id": "U-2", "referral_code": "U1-CODE"}, headers=shop
    )
    assert taken.status_code == 409 and taken.json()["key"] == "referral_code_taken"
    assert (await client.get("/customers/U-2", headers=shop)).status_code == 404
    missing = await client.get("/customers/referral/list/nobody", headers=shop)
    assert missing.status_code == 404
    assert missing.json()["details"] == "Cannot find customer with source id nobody"
