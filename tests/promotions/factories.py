"""Plain functions that build promotions, contacts and assignments through the API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

PERCENT_CHANNELS: list[dict[str, Any]] = [
    {"type": "POS", "valueType": "PERCENT", "value": 20, "instruction": None}
]


def promotion_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": f"ext-{uuid.uuid4().hex[:10]}",
        "name": "20% off t-shirts",
        "validity": {"startDate": "2020-03-18", "assignedValidity": {"unit": "Months", "amount": 3}},
        "presentation": {"heading": "You get a discount!", "description": "Enjoy.", "link": None},
        "redemptionChannels": PERCENT_CHANNELS,
    }
    body.update(overrides)
    return body


async def make_promotion(
    client: httpx.AsyncClient, headers: dict[str, str], *, activate: bool = True, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v3/promotions/multichannels", json=promotion_body(**overrides), headers=headers
    )
    assert response.status_code == 200, response.text
    promotion: dict[str, Any] = response.json()
    if activate:
        activated = await client.post(
            f"/api/v3/promotions/multichannels/{promotion['id']}/activate", headers=headers
        )
        assert activated.status_code == 200, activated.text
        promotion = activated.json()
    return promotion


async def make_assignment(
    client: httpx.AsyncClient, headers: dict[str, str], contact_id: str, promotion_id: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/v3/promotion-assignments",
        json={"contactId": contact_id, "promotionId": promotion_id},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assignment: dict[str, Any] = response.json()
    return assignment


async def redeem(
    client: httpx.AsyncClient, headers: dict[str, str], assignment_id: str, channel: Any = "POS", **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v3/promotion-assignments/{assignment_id}/redeem",
        json={"redemptionChannel": channel, **extra},
        headers=headers,
    )
