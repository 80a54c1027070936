"""The checkpoint race, shared by the in-process test and the one across server processes:
twenty batches at once over the same hundred contacts, for a capped and a recurring challenge.

`prepare` builds it through the API, `check_counts_and_rewards` asserts the exact outcome:
every count is the sum of what was sent (capped at the requirement for the non-recurring
definition) and every completion and checkpoint reward is paid exactly once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact

CAPPED_REQUIREMENT = 20
CARD_REQUIREMENT = 7
CARD_REWARD_AT = 3


@dataclass(frozen=True)
class CheckpointRace:
    contacts: list[str]
    capped: dict[str, Any]
    recurring: dict[str, Any]
    batches: list[list[dict[str, Any]]]
    # (contact, definition) -> checkpoints sent over all batches.
    totals: dict[tuple[str, str], int]


async def prepare(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    *,
    contacts: int = 100,
    batches: int = 20,
    seed: int = 7,
) -> CheckpointRace:
    made = [await make_contact(client, till) for _ in range(contacts)]
    capped = await make_definition(
        client,
        admin,
        name="capped",
        requiredNumberOfCheckpoints=CAPPED_REQUIREMENT,
        rewards={"onCompletion": {"type": "points", "amount": 10}},
    )
    recurring = await make_definition(
        client,
        admin,
        name="challenge",
        requiredNumberOfCheckpoints=CARD_REQUIREMENT,
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "points", "amount": 1},
            "checkpoints": [{"atCheckpoint": CARD_REWARD_AT, "reward": {"type": "points", "amount": 2}}],
        },
    )
    rng = random.Random(seed)
    rows = [
        [
            {
                "definitionId": rng.choice([capped, recurring])["id"],
                "contactId": contact,
                "checkpointAmount": rng.randint(1, 3),
            }
            for contact in made
        ]
        for _ in range(batches)
    ]
    totals: dict[tuple[str, str], int] = {}
    for batch in rows:
        for row in batch:
            key = (row["contactId"], row["definitionId"])
            totals[key] = totals.get(key, 0) + row["checkpointAmount"]
    return CheckpointRace(made, capped, recurring, rows, totals)


def check_answers(race: CheckpointRace, answers: list[dict[str, Any]]) -> None:
    """Only rows beyond the capped challenge's requirement may be refused."""
    for answer in answers:
        assert all(row["definitionId"] == race.capped["id"] for row in answer["notAccepted"]), answer


async def check_counts_and_rewards(
    client: httpx.AsyncClient, till: dict[str, str], race: CheckpointRace
) -> None:
    capped, recurring = race.capped["id"], race.recurring["id"]
    for contact in race.contacts:
        found = await challenges_of(client, till, contact)
        capped_total = race.totals.get((contact, capped), 0)
        challenge_total = race.totals.get((contact, recurring), 0)
        mine = [c for c in found if c["challengeId"] == capped]
        if capped_total:
            assert [c["completedCheckpoints"] for c in mine] == [min(capped_total, CAPPED_REQUIREMENT)]
        challenges = [c for c in found if c["challengeId"] == recurring]
        if challenge_total:
            assert sum(c["completedCheckpoints"] for c in challenges) == challenge_total
            assert sum(c["status"] == 2 for c in challenges) == challenge_total // CARD_REQUIREMENT
        rewards = (
            await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 1000}, headers=till)
        ).json()["items"]
        expected_capped = 1 if capped_total >= CAPPED_REQUIREMENT else 0
        completions = [r for r in rewards if r["threshold"] == "completion"]
        assert sum(r["source"]["id"] == capped for r in completions) == expected_capped
        assert sum(r["source"]["id"] == recurring for r in completions) == challenge_total // CARD_REQUIREMENT
        at_three = [r for r in rewards if r["threshold"] == f"checkpoint:{CARD_REWARD_AT}"]
        expected_three = challenge_total // CARD_REQUIREMENT + (
            1 if challenge_total % CARD_REQUIREMENT >= CARD_REWARD_AT else 0
        )
        assert len(at_three) == expected_three
        assert len({(r["source"]["id"], r["threshold"], r["window"]) for r in rewards}) == len(rewards)
        accounts = (
            await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
        ).json()
        points = Decimal(10 * expected_capped + challenge_total // CARD_REQUIREMENT + 2 * expected_three)
        assert sum((Decimal(str(a["balance"])) for a in accounts), Decimal(0)) == points
