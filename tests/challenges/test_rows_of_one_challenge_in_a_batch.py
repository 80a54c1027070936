"""Several rows for one contact's challenge in one batch: applied in order, each exactly as alone."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx

from patron.config import Settings
from tests.challenges.factories import challenges_of, make_definition
from tests.challenges.test_rebuild import run_check
from tests.factories import make_contact_id as make_contact


async def test_a_recurring_challenge_crossing_its_thresholds_twice_in_one_batch_rewards_each_crossing_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    contact = await make_contact(client, till)
    other = await make_contact(client, till)
    challenge = await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=3,
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "points", "amount": 10},
            "checkpoints": [{"atCheckpoint": 2, "reward": {"type": "points", "amount": 1}}],
        },
    )
    # Running total 2 (checkpoint 2 of challenge 0), 4 (completes challenge 0, 1 carried), 7 (checkpoint 2
    # and completion of challenge 1, 1 carried), 8 (checkpoint 2 of challenge 2); the other contact's row
    # sits between them. A third contact's 7 completes two challenges in one row, then 2 a third.
    bulk = await make_contact(client, till)
    rows = [
        {"definitionId": challenge["id"], "contactId": bulk, "checkpointAmount": 7},
        {"definitionId": challenge["id"], "contactId": contact, "checkpointAmount": 2},
        {"definitionId": challenge["id"], "contactId": contact, "checkpointAmount": 2},
        {"definitionId": challenge["id"], "contactId": other, "checkpointAmount": 1},
        {"definitionId": challenge["id"], "contactId": contact, "checkpointAmount": 3},
        {"definitionId": challenge["id"], "contactId": contact, "checkpointAmount": 1},
        {"definitionId": challenge["id"], "contactId": bulk, "checkpointAmount": 2},
    ]
    response = await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
    assert response.status_code == 200, response.text
    assert response.json()["notAccepted"] == []

    challenges = sorted(await challenges_of(client, till, contact), key=lambda c: c["challengeStart"] or "")
    assert sorted((c["completedCheckpoints"], c["isChallengeCompleted"]) for c in challenges) == [
        (2, False),
        (3, True),
        (3, True),
    ]
    bulk_challenges = await challenges_of(client, till, bulk)
    assert sorted((c["completedCheckpoints"], c["isChallengeCompleted"]) for c in bulk_challenges) == [
        (0, False),
        (3, True),
        (3, True),
        (3, True),
    ]
    [single] = await challenges_of(client, till, other)
    assert single["completedCheckpoints"] == 1

    answer = await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 100}, headers=till)
    earned = sorted((r["threshold"], r["window"]) for r in answer.json()["items"])
    assert earned == [
        ("checkpoint:2", "0"),
        ("checkpoint:2", "1"),
        ("checkpoint:2", "2"),
        ("completion", "0"),
        ("completion", "1"),
    ]
    assert sum(Decimal(r["reward"]["amount"]) for r in answer.json()["items"]) == 3 * 1 + 2 * 10

    answer = await client.get(f"/api/v3/contacts/{bulk}/rewards", params={"count": 100}, headers=till)
    assert sorted((r["threshold"], r["window"]) for r in answer.json()["items"]) == [
        *[("checkpoint:2", cycle) for cycle in "012"],
        *[("completion", cycle) for cycle in "012"],
    ]

    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")


async def test_a_challenge_completed_early_in_a_batch_refuses_its_later_rows(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    contact = await make_contact(client, till)
    plain = await make_definition(client, admin, requiredNumberOfCheckpoints=3)
    rows = [
        {"definitionId": plain["id"], "contactId": contact, "checkpointAmount": 1},
        {"definitionId": plain["id"], "contactId": contact, "checkpointAmount": 5},
        {"definitionId": plain["id"], "contactId": contact, "checkpointAmount": 1},
        {"definitionId": plain["id"], "contactId": contact, "checkpointAmount": 2},
    ]
    response = await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
    assert response.status_code == 200, response.text
    assert response.json()["notAccepted"] == rows[2:]
    [challenge] = await challenges_of(client, till, contact)
    assert (challenge["completedCheckpoints"], challenge["isChallengeCompleted"]) == (3, True)
