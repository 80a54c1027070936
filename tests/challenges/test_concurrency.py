"""Twenty checkpoint batches at once over the same hundred contacts: exact counts, rewards once."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import httpx

from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact


async def test_concurrent_batches_count_exactly_and_reward_each_completion_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contacts = [await make_contact(client, till) for _ in range(100)]
    capped = await make_definition(
        client,
        admin,
        name="capped",
        requiredNumberOfCheckpoints=20,
        rewards={"onCompletion": {"type": "points", "amount": 10}},
    )
    recurring = await make_definition(
        client,
        admin,
        name="card",
        requiredNumberOfCheckpoints=7,
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "points", "amount": 1},
            "checkpoints": [{"atCheckpoint": 3, "reward": {"type": "points", "amount": 2}}],
        },
    )
    rng = random.Random(7)
    batches = [
        [
            {
                "definitionId": rng.choice([capped, recurring])["id"],
                "contactId": contact,
                "checkpointAmount": rng.randint(1, 3),
            }
            for contact in contacts
        ]
        for _ in range(20)
    ]
    totals: dict[tuple[str, str], int] = {}
    for batch in batches:
        for row in batch:
            key = (row["contactId"], row["definitionId"])
            totals[key] = totals.get(key, 0) + row["checkpointAmount"]

    responses = await asyncio.gather(
        *(client.post("/api/v3/challenges/checkpoints", json=batch, headers=till) for batch in batches)
    )
    assert [r.status_code for r in responses] == [200] * 20
    assert all(
        r.json()["notAccepted"] == []
        or all(row["definitionId"] == capped["id"] for row in r.json()["notAccepted"])
        for r in responses
    )

    for contact in contacts:
        found = await challenges_of(client, till, contact)
        capped_total = totals.get((contact, capped["id"]), 0)
        card_total = totals.get((contact, recurring["id"]), 0)
        mine = [c for c in found if c["challengeId"] == capped["id"]]
        if capped_total:
            assert [c["completedCheckpoints"] for c in mine] == [min(capped_total, 20)]
        cards = [c for c in found if c["challengeId"] == recurring["id"]]
        if card_total:
            assert sum(c["completedCheckpoints"] for c in cards) == card_total
            assert sum(c["status"] == 2 for c in cards) == card_total // 7
        rewards = (
            await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 1000}, headers=till)
        ).json()["items"]
        expected_capped = 1 if capped_total >= 20 else 0
        completions = [r for r in rewards if r["threshold"] == "completion"]
        assert sum(r["source"]["id"] == capped["id"] for r in completions) == expected_capped
        assert sum(r["source"]["id"] == recurring["id"] for r in completions) == card_total // 7
        at_three = [r for r in rewards if r["threshold"] == "checkpoint:3"]
        expected_three = card_total // 7 + (1 if card_total % 7 >= 3 else 0)
        assert len(at_three) == expected_three
        assert len({(r["source"]["id"], r["threshold"], r["window"]) for r in rewards}) == len(rewards)
        accounts = (
            await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
        ).json()["items"]
        points = Decimal(10 * expected_capped + card_total // 7 + 2 * expected_three)
        assert sum((Decimal(str(a["balance"])) for a in accounts), Decimal(0)) == points
