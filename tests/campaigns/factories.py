"""What the campaign tests start from, made through the API as the dialect's clients do:
HTTP Basic with the key id and secret, campaigns, customers and events."""

from __future__ import annotations

import base64
from typing import Any

import httpx


def basic(token: str) -> dict[str, str]:
    """The dialect's way to send a key: HTTP Basic, key id as user and secret as password."""
    key_id, _, secret = token.partition(".")
    return {"Authorization": "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()}


async def make_campaign(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    made = await client.post("/campaigns", json={"status": "active", **fields}, headers=admin)
    assert made.status_code == 201, made.text
    return dict(made.json())


def rta_campaign() -> dict[str, Any]:
    """The seed's real-time action campaign: deposit $1000 and place a first order (rule 1),
    complete KYC verification for 100 points (rule 2)."""
    return {
        "name": "Real time action campaign",
        "type": "loyalty",
        "rules": [
            {
                "name": "Rule 1",
                "action_type": "RTA",
                "reward": {"type": "points", "amount": 50},
                "actions": [
                    {
                        "event_name": "money_deposited",
                        "aggregation": "sum",
                        "property": "amount",
                        "target": 1000,
                    },
                    {"event_name": "order_success", "aggregation": "count", "target": 1},
                ],
            },
            {
                "name": "Rule 2",
                "action_type": "RTA",
                "reward": {"type": "points", "amount": 100},
                "actions": [{"event_name": "complete_KYC_Verification", "target": 1}],
            },
        ],
    }


def awt_campaign(**rule: Any) -> dict[str, Any]:
    """The seed's action-with-time rule: an order over $199 within 2 days of signup."""
    return {
        "name": "Action with time",
        "type": "loyalty",
        "rules": [
            {
                "name": "Place a min order worth of $200 within 2 days of signup and get a 20% coupon",
                "action_type": "AWT",
                "time_duration": 172800,
                "reward": {"type": "coupon", "code_prefix": "TWENTY-"},
                "actions": [
                    {"event_name": "signup", "role": "benchmark", "target": 1},
                    {
                        "event_name": "order_success",
                        "role": "trigger",
                        "target": 1,
                        "conditions": [{"property": "order_total", "op": "gt", "value": 199}],
                    },
                ],
                **rule,
            }
        ],
    }


async def send_event(
    client: httpx.AsyncClient, till: dict[str, str], name: str, source_id: str, **fields: Any
) -> dict[str, Any]:
    sent = await client.post(
        "/events/invoke", json={"event_name": name, "source_id": source_id, **fields}, headers=till
    )
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


async def progress(
    client: httpx.AsyncClient, till: dict[str, str], source_id: str, **query: str
) -> list[dict[str, Any]]:
    read = await client.get(
        "/campaigns/reward-progress", params={"source_id": source_id, **query}, headers=till
    )
    assert read.status_code == 200, read.text
    return list(read.json())
