"""A reward is issued exactly once: concurrent requests that could each complete the same contact's
challenge (and cross the same checkpoint threshold) pay one promotion assignment and one point
transaction, each with one reward-log row, and the contact's rewards list them once.

Every request goes through the one application at the same time (`asyncio.gather`), so on
PostgreSQL they are concurrent transactions. The counts asserted are of what was paid (the
assignments, the point transactions, the balance): a reward log that took its row after paying
rather than before would still hold one row per reward, but pay more than once.

Where the contact's challenge exists before the race (`started`), nothing but the pair's lock
and the reward log stands between the requests; where it does not, storing the first challenge
also orders them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from patron.db.engine import Database
from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_promotion
from tests.receipts.factories import line, make_store, receipt
from tests.rewards.reads import assignments, by_threshold, point_transactions, reward_rows

CONCURRENT = 20
REQUIRED = 3
# The promotion is paid at this checkpoint, the points on completion.
PROMOTION_AT = 2
POINTS = Decimal(10)
CHECKPOINTS = "/api/v3/challenges/checkpoints"


@dataclass(frozen=True)
class Promised:
    definition: dict[str, Any]
    promotion_id: str


async def promise(
    client: httpx.AsyncClient, admin: dict[str, str], *, recurring: bool = False, **fields: Any
) -> Promised:
    offer = await make_promotion(client, admin, name="Free coffee")
    definition = await make_definition(
        client,
        admin,
        name="Coffee card",
        requiredNumberOfCheckpoints=REQUIRED,
        isRecurring=recurring,
        rewards={
            "onCompletion": {"type": "points", "amount": int(POINTS)},
            "checkpoints": [
                {
                    "atCheckpoint": PROMOTION_AT,
                    "reward": {"type": "promotion", "promotionId": offer["id"]},
                }
            ],
        },
        **fields,
    )
    return Promised(definition, offer["id"])


async def check_paid_once(
    client: httpx.AsyncClient,
    till: dict[str, str],
    database: Database,
    contact: str,
    promised: Promised,
) -> None:
    """The contact holds one completion and one checkpoint reward, each paid once, and nothing more."""
    paid_assignments = await assignments(database, contact)
    assert [str(a.promotion_id) for a in paid_assignments] == [promised.promotion_id]
    paid_points = await point_transactions(database, contact)
    assert [t.amount for t in paid_points] == [POINTS]

    rows = by_threshold(await reward_rows(database, contact))
    assert rows.keys() == {"completion", f"checkpoint:{PROMOTION_AT}"}
    assert rows[f"checkpoint:{PROMOTION_AT}"].promotion_assignment_id == str(paid_assignments[0].id)
    assert rows["completion"].point_transaction_id == paid_points[0].id

    listed = await client.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 100}, headers=till)
    assert listed.status_code == 200, listed.text
    assert listed.json()["totalCount"] == 2
    items = by_threshold(listed.json()["items"])
    assert {threshold: item["id"] for threshold, item in items.items()} == {
        threshold: str(row.id) for threshold, row in rows.items()
    }
    offers = (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json()
    assert [offer["id"] for offer in offers] == [str(paid_assignments[0].id)]
    accounts = (
        await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    ).json()
    assert [Decimal(str(a["balance"])) for a in accounts] == [POINTS]


async def start(
    client: httpx.AsyncClient, till: dict[str, str], contacts: list[str], definition_id: str
) -> None:
    """Every contact's challenge started, at one checkpoint."""
    rows = [{"definitionId": definition_id, "contactId": c, "checkpointAmount": 1} for c in contacts]
    answer = await client.post(CHECKPOINTS, json=rows, headers=till)
    assert (answer.status_code, answer.json()["notAccepted"]) == (200, [])


@pytest.mark.parametrize("started", [False, True], ids=["first-challenge", "challenge-started"])
async def test_concurrent_checkpoints_that_each_complete_the_challenge_pay_each_reward_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database, started: bool
) -> None:
    """`started`: the contact's challenge exists (at one checkpoint) before the race, else each
    request may start it."""
    promised = await promise(client, admin)
    contact = await make_contact(client, till)
    if started:
        await start(client, till, [contact], promised.definition["id"])
    amount = REQUIRED - 1 if started else REQUIRED
    row = {"definitionId": promised.definition["id"], "contactId": contact, "checkpointAmount": amount}

    responses = await asyncio.gather(
        *(client.post(CHECKPOINTS, json=[row], headers=till) for _ in range(CONCURRENT))
    )

    assert [r.status_code for r in responses] == [200] * CONCURRENT
    await check_paid_once(client, till, database, contact, promised)
    # The first to take the challenge completes it; it refuses every later row.
    assert sorted(len(r.json()["notAccepted"]) for r in responses) == [0] + [1] * (CONCURRENT - 1)
    [challenge] = await challenges_of(client, till, contact)
    assert (challenge["status"], challenge["completedCheckpoints"]) == (2, REQUIRED)


@pytest.mark.parametrize("started", [False, True], ids=["first-challenges", "challenges-started"])
async def test_concurrent_big_batches_pay_each_contacts_rewards_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database, started: bool
) -> None:
    """Batches of 60 contacts work their rows out before they wait for their locks, and work again
    the pairs a concurrent batch changed meanwhile: the rewards of the first working-out must not
    be paid as well as those of the second. `started`: every challenge exists before the race (at
    one checkpoint, so each batch's two more complete it), else each batch may start them."""
    promised = await promise(client, admin)
    contacts = [await make_contact(client, till) for _ in range(60)]
    definition_id = promised.definition["id"]
    if started:
        await start(client, till, contacts, definition_id)
    amount = REQUIRED - 1 if started else REQUIRED
    batch = [{"definitionId": definition_id, "contactId": c, "checkpointAmount": amount} for c in contacts]

    responses = await asyncio.gather(*(client.post(CHECKPOINTS, json=batch, headers=till) for _ in range(8)))

    assert [r.status_code for r in responses] == [200] * 8
    refused: dict[str, int] = {}
    for response in responses:
        for row in response.json()["notAccepted"]:
            refused[row["contactId"]] = refused.get(row["contactId"], 0) + 1
    # Each contact's row is accepted by exactly one batch.
    assert refused == dict.fromkeys(contacts, 7)
    for contact in contacts:
        await check_paid_once(client, till, database, contact, promised)


@pytest.mark.parametrize("started", [False, True], ids=["first-challenge", "challenge-started"])
async def test_concurrent_receipts_that_each_complete_the_challenge_pay_each_reward_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database, started: bool
) -> None:
    """`started`: an earlier receipt gave the contact's challenge one checkpoint."""
    promised = await promise(
        client, admin, checkpointAssignOn="ReceiptLineQuantity", checkpointAssignOnAmount=1
    )
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    if started:
        first = await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
        assert first.status_code == 201, first.text
    quantity = REQUIRED - 1 if started else REQUIRED
    receipts = [receipt(contact, store, items=[line(quantity=quantity)]) for _ in range(CONCURRENT)]

    responses = await asyncio.gather(
        *(client.post("/api/v3/receipts", json=r, headers=till) for r in receipts)
    )

    assert [r.status_code for r in responses] == [201] * CONCURRENT
    [challenge] = await challenges_of(client, till, contact)
    assert (challenge["status"], challenge["completedCheckpoints"]) == (2, REQUIRED)
    await check_paid_once(client, till, database, contact, promised)


async def test_one_receipt_sent_concurrently_completes_a_recurring_card_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    """On a recurring card every completion starts the next cycle, whose rewards are new ones: a
    receipt counted twice would pay twice. The same receipt sent at once from a retrying till is
    stored once and counted once."""
    promised = await promise(
        client, admin, recurring=True, checkpointAssignOn="ReceiptLineQuantity", checkpointAssignOnAmount=1
    )
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store, items=[line(quantity=REQUIRED)])

    responses = await asyncio.gather(
        *(client.post("/api/v3/receipts", json=body, headers=till) for _ in range(CONCURRENT))
    )

    assert sorted(r.status_code for r in responses) == [200] * (CONCURRENT - 1) + [201]
    found = await challenges_of(client, till, contact)
    assert sorted((c["status"], c["completedCheckpoints"]) for c in found) == [(1, 0), (2, REQUIRED)]
    await check_paid_once(client, till, database, contact, promised)
