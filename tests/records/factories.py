"""Records the record tests start from: members, challenges, milestones and logs, made
through the API as a client would."""

from __future__ import annotations

from typing import Any

import httpx


async def make_member(client: httpx.AsyncClient, till: dict[str, str], external_id: str) -> str:
    made = await client.post(
        "/api/v3/contacts", json={"externalId": external_id, "firstName": "Ann"}, headers=till
    )
    assert made.status_code in (200, 201), made.text
    return str(made.json()["id"])


async def make_challenge(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Monthly Big Spender",
        "description": "Spend $500 in a single month.",
        "status": "live",
        "completionTargetValue": 500,
        "aggregationMethod": "sum",
        "aggregationPeriod": "monthly",
        "timezone": "UTC",
        **fields,
    }
    made = await client.post("/schema/challenge/record", json=body, headers=admin)
    assert made.status_code == 201, made.text
    return dict(made.json()["data"])


async def make_milestone(
    client: httpx.AsyncClient, admin: dict[str, str], challenge_id: str, target: float, reward: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post(
        "/schema/milestone/record",
        json={
            "linkedSchemaSlug": "challenge",
            "linkedSchemaRecordId": challenge_id,
            "name": f"At {target}",
            "milestoneTargetValue": target,
            "reward": reward,
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    return dict(made.json()["data"])


async def send_log(
    client: httpx.AsyncClient, till: dict[str, str], challenge_id: str, owner: str, key: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/schema/challenge_log/record",
        json={"challengeId": challenge_id, "ownedById": owner, "uniqueIdentifier": key, **fields},
        headers=till,
    )
