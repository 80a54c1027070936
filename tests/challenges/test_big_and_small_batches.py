"""A big batch (worked out before its locks) ends exactly where the same rows in small batches
(locked, then worked out) end: the same challenges, refusals and rewards, and a log that rebuilds."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import httpx

from patron.challenges.checkpoints import WORK_OUT_BEFORE_LOCKING
from patron.config import Settings
from tests.challenges.factories import challenges_of, make_definition
from tests.challenges.test_rebuild import run_check
from tests.factories import make_contact_id as make_contact

CONTACTS = 30  # x 3 definitions: 90 pairs, a big batch; 10 contacts (30 pairs) make a small one
SMALL = 10


async def _definitions(client: httpx.AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    challenge = await make_definition(
        client,
        admin,
        name="challenge",
        requiredNumberOfCheckpoints=3,
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "points", "amount": 10},
            "checkpoints": [{"atCheckpoint": 2, "reward": {"type": "points", "amount": 1}}],
        },
    )
    capped = await make_definition(
        client,
        admin,
        name="capped",
        requiredNumberOfCheckpoints=4,
        rewards={"onCompletion": {"type": "points", "amount": 5}},
    )
    consent = await make_definition(
        client, admin, name="consent", requiredNumberOfCheckpoints=2, isContactConsentRequired=True
    )
    return [challenge, capped, consent]


def _rows(contacts: list[str], definitions: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Per contact, one to three rows per definition; the same draws for every list of contacts."""
    rng = random.Random(seed)
    rows = []
    for contact in contacts:
        for definition in definitions:
            for _ in range(rng.randint(1, 3)):
                rows.append(
                    {
                        "definitionId": definition["id"],
                        "contactId": contact,
                        "checkpointAmount": rng.randint(1, 3),
                    }
                )
    return rows


async def _outcome(client: httpx.AsyncClient, till: dict[str, str], contact: str) -> tuple[Any, Any]:
    challenges = await challenges_of(client, till, contact, count="100")
    rewards = await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 100}, headers=till)
    assert rewards.status_code == 200, rewards.text
    return (
        sorted((c["challengeId"], c["completedCheckpoints"], c["isChallengeCompleted"]) for c in challenges),
        sorted((r["threshold"], r["window"], str(r["reward"]["amount"])) for r in rewards.json()["items"]),
    )


async def test_a_big_batch_ends_where_the_same_rows_in_small_batches_end(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    definitions = await _definitions(client, admin)
    consent = definitions[2]
    big = [await make_contact(client, till) for _ in range(CONTACTS)]
    small = [await make_contact(client, till) for _ in range(CONTACTS)]
    # Every other contact consents; a challenge already started goes the early way too.
    for contacts in (big, small):
        for contact in contacts[::2]:
            answer = await client.post(
                f"/api/v3/challenges/definitions/{consent['id']}/assign",
                params={"contactId": contact},
                headers=till,
            )
            assert answer.json() is True

    big_rows = _rows(big, definitions, seed=3)
    assert len({(r["contactId"], r["definitionId"]) for r in big_rows}) >= WORK_OUT_BEFORE_LOCKING
    answer = await client.post("/api/v3/challenges/checkpoints", json=big_rows, headers=till)
    assert answer.status_code == 200, answer.text
    big_refused = Counter((r["contactId"], r["definitionId"]) for r in answer.json()["notAccepted"])

    small_refused: Counter[tuple[str, str]] = Counter()
    for start in range(0, CONTACTS, SMALL):
        rows = _rows(small, definitions, seed=3)
        chunk = [r for r in rows if r["contactId"] in small[start : start + SMALL]]
        assert len({(r["contactId"], r["definitionId"]) for r in chunk}) < WORK_OUT_BEFORE_LOCKING
        answer = await client.post("/api/v3/challenges/checkpoints", json=chunk, headers=till)
        assert answer.status_code == 200, answer.text
        small_refused.update((r["contactId"], r["definitionId"]) for r in answer.json()["notAccepted"])

    mirror = dict(zip(small, big, strict=True))
    assert {(mirror[c], d): n for (c, d), n in small_refused.items()} == dict(big_refused)
    # Refusals of both kinds happened: consent not given, and the capped challenge full.
    assert {d for _, d in big_refused} == {consent["id"], definitions[1]["id"]}
    for small_contact, big_contact in mirror.items():
        assert await _outcome(client, till, small_contact) == await _outcome(client, till, big_contact)

    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")
