"""Twenty checkpoint batches at once over the same hundred contacts: exact counts, rewards once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx

from patron.config import Settings
from tests.challenges.checkpoint_race import check_answers, check_counts_and_rewards, prepare
from tests.challenges.test_rebuild import run_check


async def test_concurrent_batches_count_exactly_and_reward_each_completion_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    race = await prepare(client, admin, till)

    responses = await asyncio.gather(
        *(client.post("/api/v3/challenges/checkpoints", json=batch, headers=till) for batch in race.batches)
    )
    assert [r.status_code for r in responses] == [200] * len(race.batches)
    check_answers(race, [r.json() for r in responses])
    await check_counts_and_rewards(client, till, race)


async def test_concurrent_batches_on_challenges_already_started_count_exactly(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    """Big batches work their rows out (and log them) before waiting for their locks; a challenge
    another batch changed meanwhile must be worked out again from what is stored, never from
    the early read, and the early log rows taken back, so the log still rebuilds every challenge."""
    race = await prepare(client, admin, till)
    first, *rest = race.batches
    started = await client.post("/api/v3/challenges/checkpoints", json=first, headers=till)
    assert started.status_code == 200

    responses = await asyncio.gather(
        *(client.post("/api/v3/challenges/checkpoints", json=batch, headers=till) for batch in rest)
    )
    assert [r.status_code for r in responses] == [200] * len(rest)
    check_answers(race, [started.json(), *(r.json() for r in responses)])
    await check_counts_and_rewards(client, till, race)
    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")


async def test_concurrent_batches_once_every_challenge_is_started_count_exactly(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    """With a challenge for every pair, a big batch stores no first challenge: it appends its log rows,
    takes its locks and writes its challenges in one statement, on a snapshot from before it waited.
    The challenges a concurrent batch changed meanwhile must be left alone there and worked out
    again after it."""
    race = await prepare(client, admin, till)
    every_pair = [
        {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 1}
        for contact in race.contacts
        for definition in (race.capped, race.recurring)
    ]
    started = await client.post("/api/v3/challenges/checkpoints", json=every_pair, headers=till)
    assert started.status_code == 200
    totals = dict(race.totals)
    for row in every_pair:
        key = (row["contactId"], row["definitionId"])
        totals[key] = totals.get(key, 0) + 1
    race = replace(race, totals=totals)

    responses = await asyncio.gather(
        *(client.post("/api/v3/challenges/checkpoints", json=batch, headers=till) for batch in race.batches)
    )
    assert [r.status_code for r in responses] == [200] * len(race.batches)
    check_answers(race, [started.json(), *(r.json() for r in responses)])
    await check_counts_and_rewards(client, till, race)
    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")
