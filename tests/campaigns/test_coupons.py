"""Coupons issued as rewards (by a campaign rule, or by a record milestone) in the campaigns
dialect: listed for their owner, validated for their owner only, redeemed once and reverted
once, each refusal saying why, and nothing changed by a refused request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.campaigns.factories import basic, make_campaign, send_event
from tests.records.factories import make_challenge, make_member, make_milestone, send_log

ORDER = {
    "order_id": "ORD-1",
    "status": "pending",
    "items": [
        {
            "product_id": "P1",
            "sku": "SKU-1",
            "name": "Shoe",
            "quantity": 1,
            "original_price": 120,
            "selling_price": 99,
        }
    ],
    "original_amount": 120,
    "selling_amount": 99,
}


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


def coupon_campaign() -> dict[str, Any]:
    return {
        "name": "Welcome",
        "rules": [
            {
                "name": "Sign up for 10% off",
                "reward": {"type": "coupon", "code_prefix": "WELCOME-", "valid_days": 30},
                "actions": [{"event_name": "signup"}],
            }
        ],
    }


async def earned_coupon(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], source_id: str
) -> dict[str, Any]:
    await make_campaign(client, admin, **coupon_campaign())
    await send_event(client, shop, "signup", source_id)
    listed = await client.post("/coupons/list/all", json={"source_id": source_id}, headers=shop)
    assert listed.status_code == 200, listed.text
    [coupon] = listed.json()["coupons"]
    return dict(coupon)


def apply_body(source_id: str, coupon: dict[str, Any], **order: Any) -> dict[str, Any]:
    return {
        "coupon_details": [{"coupon_id": coupon["coupon_id"], "coupon_code": coupon["coupon_code"]}],
        "source_id": source_id,
        "order": {**ORDER, **order},
    }


async def test_a_reward_coupon_validates_for_its_owner_redeems_once_and_reverts_once(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    coupon = await earned_coupon(client, admin, shop, "K-1")
    assert coupon["coupon_code"].startswith("WELCOME-") and coupon["coupon_id"].startswith("coup_")
    assert (coupon["status"], coupon["applicable"]) == ("active", True) and coupon["expires_at"]

    valid = (await client.post("/coupons/validate", json=apply_body("K-1", coupon), headers=shop)).json()
    assert valid["valid"] is True and valid["coupons"][0]["reason"] is None
    # Someone else holds no such coupon, whatever code they send.
    await send_event(client, shop, "page_view", "K-2")
    stranger = (await client.post("/coupons/validate", json=apply_body("K-2", coupon), headers=shop)).json()
    assert stranger["valid"] is False and stranger["coupons"][0]["reason"] == "not_found"
    taken = await client.post(
        "/coupons/apply", params={"type": "redeem"}, json=apply_body("K-2", coupon), headers=shop
    )
    assert taken.status_code == 400 and taken.json()["key"] == "coupon_not_valid"

    redeemed = await client.post(
        "/coupons/apply", params={"type": "redeem"}, json=apply_body("K-1", coupon), headers=shop
    )
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["order_id"] == "ORD-1" and redeemed.json()["coupons"][0]["valid"] is True
    again = await client.post(
        "/coupons/apply", json=apply_body("K-1", coupon, order_id="ORD-2"), headers=shop
    )
    assert again.status_code == 409 and again.json()["key"] == "coupon_already_redeemed"
    assert again.json()["details"][0]["reason"] == "already_redeemed"
    listed = (await client.post("/coupons/list/all", json={"source_id": "K-1"}, headers=shop)).json()[
        "coupons"
    ]
    assert (listed[0]["status"], listed[0]["order_id"], listed[0]["applicable"]) == (
        "redeemed",
        "ORD-1",
        False,
    )

    other_order = await client.post(
        "/coupons/apply",
        params={"type": "revert"},
        json=apply_body("K-1", coupon, order_id="ORD-9"),
        headers=shop,
    )
    assert other_order.status_code == 400 and other_order.json()["details"][0]["reason"] == "other_order"
    reverted = await client.post(
        "/coupons/apply", params={"type": "revert"}, json=apply_body("K-1", coupon), headers=shop
    )
    assert reverted.status_code == 200 and reverted.json()["type"] == "revert"
    twice = await client.post(
        "/coupons/apply", params={"type": "revert"}, json=apply_body("K-1", coupon), headers=shop
    )
    assert twice.status_code == 409 and twice.json()["key"] == "coupon_not_redeemed"
    # Reverted, it may be used again.
    assert (
        await client.post("/coupons/apply", json=apply_body("K-1", coupon), headers=shop)
    ).status_code == 200


async def test_a_wrong_coupon_id_or_an_unknown_code_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    coupon = await earned_coupon(client, admin, shop, "K-3")
    wrong_id = apply_body("K-3", {**coupon, "coupon_id": "coup_" + "0" * 32})
    refused = await client.post("/coupons/apply", json=wrong_id, headers=shop)
    assert refused.status_code == 400 and refused.json()["details"][0]["reason"] == "coupon_id_mismatch"
    both = apply_body("K-3", coupon)
    both["coupon_details"].append({"coupon_id": "bulk", "coupon_code": "NOPE-123"})
    refused = await client.post("/coupons/apply", json=both, headers=shop)
    assert refused.status_code == 400 and [d["reason"] for d in refused.json()["details"]] == ["not_found"]
    listed = (await client.post("/coupons/list/all", json={"source_id": "K-3"}, headers=shop)).json()[
        "coupons"
    ]
    assert listed[0]["status"] == "active"
    no_order = {k: v for k, v in apply_body("K-3", coupon).items() if k != "order"}
    assert (await client.post("/coupons/apply", json=no_order, headers=shop)).status_code == 400
    unknown = await client.post("/coupons/validate", json=apply_body("nobody", coupon), headers=shop)
    assert unknown.status_code == 404 and unknown.json()["key"] == "not_found"


async def test_a_record_milestone_coupon_is_redeemed_here_by_its_member(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], shop: dict[str, str]
) -> None:
    await make_member(client, till, "M-1")
    challenge = await make_challenge(client, admin)
    await make_milestone(client, admin, challenge["id"], 200, {"type": "coupon", "codePrefix": "SAVE5-"})
    logged = await send_log(client, till, challenge["id"], "M-1", "order-1", activityValue=250)
    assert logged.status_code == 201, logged.text
    code = logged.json()["data"]["achievedMilestoneRewardLog"]["couponCode"]
    listed = (await client.post("/coupons/list/all", json={"source_id": "M-1"}, headers=shop)).json()[
        "coupons"
    ]
    assert [c["coupon_code"] for c in listed] == [code]
    body = {
        "coupon_details": [{"coupon_id": "bulk", "coupon_code": code}],
        "source_id": "M-1",
        "order": ORDER,
    }
    assert (await client.post("/coupons/apply", json=body, headers=shop)).status_code == 200
    assert (await client.post("/coupons/apply", json=body, headers=shop)).status_code == 409
