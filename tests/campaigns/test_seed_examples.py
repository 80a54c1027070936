"""The seed's two reward-progress examples (reward-progress.txt), number for number: the
real-time action campaign and the action-with-time rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.campaigns.factories import awt_campaign, basic, make_campaign, progress, rta_campaign, send_event
from tests.clock import frozen_at

# The seed's start_time, 1708664771: 23 February 2024, 05:06:11 UTC.
SIGNUP_AT = datetime.fromtimestamp(1708664771, UTC)


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


async def test_real_time_actions_deposit_half_then_one_order_and_no_kyc(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    campaign = await make_campaign(client, admin, **rta_campaign())
    await send_event(client, shop, "money_deposited", "KMN@123", metadata={"amount": 300})
    await send_event(client, shop, "money_deposited", "KMN@123", metadata={"amount": "200"})

    [shown] = await progress(
        client, shop, "KMN@123", campaign_type="loyalty", campaign_id=campaign["campaign_id"]
    )
    rule_1, rule_2 = shown["rules"]
    deposit, order = rule_1["actions"]
    assert deposit == {
        "event_id": campaign["rules"][0]["actions"][0]["event_id"],
        "event_name": "money_deposited",
        "progress": 50,
        "trigger": False,
        "status": "active",
        "current": 500,
        "target": 1000,
    }
    assert (order["progress"], order["status"], order["current"], order["target"]) == (0, "active", 0, 1)

    await send_event(client, shop, "order_success", "KMN@123")

    [shown] = await progress(
        client, shop, "KMN@123", campaign_type="loyalty", campaign_id=campaign["campaign_id"]
    )
    assert shown["campaign_id"] == campaign["campaign_id"]
    assert shown["campaign_name"] == "Real time action campaign"
    assert shown["campaign_type"] == "loyalty"
    rule_1, rule_2 = shown["rules"]
    assert [rule_1["rule_name"], rule_1["action_type"], rule_2["rule_name"]] == ["Rule 1", "RTA", "Rule 2"]
    assert rule_1["rule_id"].startswith("valr_") and shown["campaign_id"].startswith("camp_")
    deposit, order = rule_1["actions"]
    assert (deposit["progress"], deposit["status"], deposit["current"], deposit["target"]) == (
        50,
        "active",
        500,
        1000,
    )
    assert order == {
        "event_id": campaign["rules"][0]["actions"][1]["event_id"],
        "event_name": "order_success",
        "progress": 100,
        "trigger": False,
        "status": "completed",
        "current": 1,
        "target": 1,
    }
    [kyc] = rule_2["actions"]
    assert (kyc["event_name"], kyc["progress"], kyc["status"], kyc["current"], kyc["target"]) == (
        "complete_KYC_Verification",
        0,
        "active",
        0,
        1,
    )
    assert kyc["trigger"] is False and "start_time" not in kyc


async def test_action_with_time_counts_only_after_signup_and_only_orders_over_199(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    with frozen_at(SIGNUP_AT - timedelta(hours=1)):
        campaign = await make_campaign(client, admin, **awt_campaign())
        # An order before signup does not count: the trigger came before its benchmark.
        await send_event(client, shop, "order_success", "KMN@123", metadata={"order_total": 500})
        [before] = await progress(client, shop, "KMN@123", campaign_id=campaign["campaign_id"])
        signup, order = before["rules"][0]["actions"]
        assert (signup["trigger"], signup["current"], order["current"], order["status"]) == (
            False,
            0,
            0,
            "active",
        )
        assert "start_time" not in signup and "end_time" not in order
        assert order["time_duration"] == 172800

    with frozen_at(SIGNUP_AT):
        await send_event(client, shop, "signup", "KMN@123")
    with frozen_at(SIGNUP_AT + timedelta(seconds=10)):
        # An order of 150 fails the gt 199 condition.
        await send_event(client, shop, "order_success", "KMN@123", metadata={"order_total": "150"})
        [after] = await progress(client, shop, "KMN@123", campaign_id=campaign["campaign_id"])
        rule = after["rules"][0]
        assert rule["action_type"] == "AWT"
        signup, order = rule["actions"]
        assert signup == {
            "event_id": campaign["rules"][0]["actions"][0]["event_id"],
            "event_name": "signup",
            "progress": 100,
            "trigger": True,
            "status": "completed",
            "current": 1,
            "target": 1,
            "start_time": 1708664771,
        }
        assert (order["progress"], order["status"], order["current"]) == (0, "active", 0)
        assert order["start_time"] == 1708664771
        assert order["end_time"] == 1708664771 + 172800 == 1708837571
        assert order["time_left"] == 172790

    with frozen_at(SIGNUP_AT + timedelta(seconds=16)):
        await send_event(client, shop, "order_success", "KMN@123", metadata={"order_total": 250})
        [done] = await progress(client, shop, "KMN@123", campaign_id=campaign["campaign_id"])
    signup, order = done["rules"][0]["actions"]
    assert order == {
        "event_id": campaign["rules"][0]["actions"][1]["event_id"],
        "event_name": "order_success",
        "progress": 100,
        "trigger": False,
        "status": "completed",
        "current": 1,
        "target": 1,
        "start_time": 1708664771,
        "end_time": 1708837571,
        "time_duration": 172800,
        "time_left": 172784,
    }
    # Read later, a completed trigger keeps the time that was left when it was met.
    with frozen_at(SIGNUP_AT + timedelta(days=5)):
        [later] = await progress(client, shop, "KMN@123", campaign_id=campaign["campaign_id"])
    assert later["rules"][0]["actions"][1]["time_left"] == 172784


async def test_unknown_customer_is_the_seeds_404(client: httpx.AsyncClient, shop: dict[str, str]) -> None:
    answer = await client.get("/campaigns/reward-progress", params={"source_id": "nobody"}, headers=shop)
    assert answer.status_code == 404
    body = answer.json()
    assert body["code"] == 404 and body["key"] == "not_found" and body["message"] == "Resource not found"
    assert body["details"] == "Cannot find customer with source id nobody"
    assert body["request_id"]
