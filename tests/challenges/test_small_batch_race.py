"""Small checkpoint batches and receipts at once on the same few challenges: exact counts, rewards once.

Every receipt and every batch under `WORK_OUT_BEFORE_LOCKING` pairs takes the small-batch path:
its pairs are locked, then their challenges read and worked out. Here 40 batches of 1-5 rows
over the same 3 contacts and 2 recurring definitions (a stamp card with a checkpoint and a
completion reward in points; a receipt-driven bag card, one checkpoint per bag of dog food,
with a checkpoint reward in points and a promotion on completion) race 24 receipts for the
same contacts. Checked per contact and definition: the challenges' checkpoints add up to
exactly what was sent, one completed cycle per requirement, every reward issued once (reward
rows, point transactions, promotion assignments), and the log rebuilds every challenge.

The schema does not promise any of that: nothing in it stops two transactions from reading the
same challenge and both writing their count (one is lost), or both completing the same cycle
(two rewards for one window are refused by the reward key, the cycle's follower then counts
twice or not at all).

PostgreSQL: a real race, both in one application (its connection pool serves the requests at
once) and across two `patron serve` worker processes sharing only the database. SQLite: the
requests of one process take turns on the database's write lock (BEGIN IMMEDIATE), so that
variant shows the outcome of interleaved requests is exact, not that the pair locks are needed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from patron.auth.roles import Role
from patron.challenges.checkpoints import WORK_OUT_BEFORE_LOCKING
from patron.config import Settings
from patron.db import migrate
from patron.db.engine import create_database
from tests.challenges.factories import challenges_of, make_definition
from tests.challenges.test_rebuild import run_check
from tests.conftest import issue_token
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_promotion
from tests.receipts.factories import line, make_store, receipt
from tests.reliability.server import ServerProcess
from tests.reliability.streams import RETRY_PAUSE_SECONDS, RETRY_STATUSES

CONTACTS = 3
BATCHES = 40
RECEIPTS = 24
CARD_REQUIREMENT, CARD_REWARD_AT = 4, 2
BAG_REQUIREMENT, BAG_REWARD_AT = 3, 2
RACE_SECONDS = 30.0


@dataclass(frozen=True)
class SmallRace:
    contacts: list[str]
    card: dict[str, Any]
    bags: dict[str, Any]
    promotion: dict[str, Any]
    batches: list[list[dict[str, Any]]]
    receipts: list[dict[str, Any]]
    # (contact, definition) -> checkpoints sent, by batch rows and by bags on receipts.
    totals: dict[tuple[str, str], int]


async def prepare(
    http: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], *, seed: int = 5
) -> SmallRace:
    await make_store(http, admin)
    free_bag = await make_promotion(http, admin, name="Free bag")
    card = await make_definition(
        http,
        admin,
        name="card",
        requiredNumberOfCheckpoints=CARD_REQUIREMENT,
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "points", "amount": 5},
            "checkpoints": [{"atCheckpoint": CARD_REWARD_AT, "reward": {"type": "points", "amount": 1}}],
        },
    )
    bags = await make_definition(
        http,
        admin,
        name="bags",
        requiredNumberOfCheckpoints=BAG_REQUIREMENT,
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        articleFilter={"groups": ["Dog food"]},
        isRecurring=True,
        rewards={
            "onCompletion": {"type": "promotion", "promotionId": free_bag["id"]},
            "checkpoints": [{"atCheckpoint": BAG_REWARD_AT, "reward": {"type": "points", "amount": 3}}],
        },
    )
    contacts = [await make_contact(http, till) for _ in range(CONTACTS)]
    rng = random.Random(seed)
    batches = [
        [
            {
                "definitionId": rng.choice([card, bags])["id"],
                "contactId": rng.choice(contacts),
                "checkpointAmount": rng.randint(1, 3),
            }
            for _ in range(rng.randint(1, 5))
        ]
        for _ in range(BATCHES)
    ]
    # Every batch (and every receipt: one contact, two definitions) takes the small-batch path.
    assert all(len(batch) < WORK_OUT_BEFORE_LOCKING for batch in batches)
    receipts = []
    totals: Counter[tuple[str, str]] = Counter()
    for batch in batches:
        for row in batch:
            totals[(row["contactId"], row["definitionId"])] += row["checkpointAmount"]
    for _ in range(RECEIPTS):
        contact, quantity = rng.choice(contacts), rng.randint(1, 3)
        items = [
            line(articleNumber="DF-1", articleGroup="Dog food", quantity=quantity),
            line(articleNumber="CF-1", articleGroup="Cat food", quantity=2),
        ]
        receipts.append(receipt(contact, "S-1", items=items))
        totals[(contact, bags["id"])] += quantity
    return SmallRace(contacts, card, bags, free_bag, batches, receipts, dict(totals))


Send = Callable[[str, dict[str, Any] | list[dict[str, Any]], str], Awaitable[httpx.Response]]


async def race_all(race: SmallRace, send: Send, *, seed: int = 9) -> tuple[SmallRace, list[str]]:
    """Every batch and every receipt at once, in a shuffled order. Returns the race with the
    totals of the calls acknowledged (the others were rolled back) and what went wrong with the
    others, so the counts are checked before the answers are."""
    calls: list[tuple[str, Any, str]] = [
        ("/api/v3/challenges/checkpoints", batch, f"batch-{n}") for n, batch in enumerate(race.batches)
    ] + [("/api/v3/receipts", body, body["uniqueReceiptId"]) for body in race.receipts]
    random.Random(seed).shuffle(calls)
    answers = await asyncio.gather(*(send(path, body, key) for path, body, key in calls))
    problems = []
    totals = Counter(race.totals)
    for (path, body, key), answer in zip(calls, answers, strict=True):
        acknowledged = answer.status_code in ((200, 201) if path.endswith("/receipts") else (200,))
        if not acknowledged:
            problems.append(f"{key}: {answer.status_code} {answer.text[:200]}")
            if path.endswith("/receipts"):
                bags = sum(item["quantity"] for item in body["items"] if item["articleGroup"] == "Dog food")
                totals[(body["contact"]["matchKey"], race.bags["id"])] -= bags
            else:
                for row in body:
                    totals[(row["contactId"], row["definitionId"])] -= row["checkpointAmount"]
        elif not path.endswith("/receipts"):
            # Every row is for an active, recurring definition and a known contact: all accepted.
            empty = {"missingContactIds": [], "missingDefinitionIds": [], "notAccepted": []}
            if answer.json() != empty:
                problems.append(f"{key}: {answer.text[:200]}")
    return replace(race, totals=dict(totals)), problems


def _checkpoint_rewards(total: int, requirement: int, at: int) -> int:
    return total // requirement + (1 if total % requirement >= at else 0)


async def check_counts_and_rewards(http: httpx.AsyncClient, till: dict[str, str], race: SmallRace) -> None:
    card, bags = race.card["id"], race.bags["id"]
    for contact in race.contacts:
        card_total = race.totals.get((contact, card), 0)
        bag_total = race.totals.get((contact, bags), 0)
        found = await challenges_of(http, till, contact, count="100")
        for definition, total, requirement in (
            (card, card_total, CARD_REQUIREMENT),
            (bags, bag_total, BAG_REQUIREMENT),
        ):
            mine = [c for c in found if c["challengeId"] == definition]
            counts = sorted((c["status"], c["completedCheckpoints"]) for c in mine)
            assert sum(c["completedCheckpoints"] for c in mine) == total, (contact, definition, counts)
            assert sum(c["status"] == 2 for c in mine) == total // requirement, (contact, definition, counts)
            # Every completed cycle is full and at most one is under way.
            assert all(n == requirement for status, n in counts if status == 2), counts
            assert sum(status != 2 for status, _ in counts) <= 1, counts

        rewards = (
            await http.get(f"/api/v3/contacts/{contact}/rewards", params={"count": 1000}, headers=till)
        ).json()["items"]
        by_kind = Counter((r["source"]["id"], r["threshold"]) for r in rewards)
        card_at = _checkpoint_rewards(card_total, CARD_REQUIREMENT, CARD_REWARD_AT)
        bag_at = _checkpoint_rewards(bag_total, BAG_REQUIREMENT, BAG_REWARD_AT)
        expected = {
            (card, "completion"): card_total // CARD_REQUIREMENT,
            (card, f"checkpoint:{CARD_REWARD_AT}"): card_at,
            (bags, "completion"): bag_total // BAG_REQUIREMENT,
            (bags, f"checkpoint:{BAG_REWARD_AT}"): bag_at,
        }
        assert dict(by_kind) == {kind: n for kind, n in expected.items() if n}, contact
        windows = [(r["source"]["id"], r["threshold"], r["window"]) for r in rewards]
        assert len(set(windows)) == len(windows), sorted(windows)

        # Points: one ledger row per points reward, and nothing else.
        accounts = (
            await http.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
        ).json()
        ledger = []
        for account in accounts:
            ledger += (
                await http.get(
                    "/api/v3/point-accounts/transactions",
                    params={"accountId": account["id"], "filter": "Active", "count": 1000},
                    headers=till,
                )
            ).json()["items"]
        points_rewards = card_total // CARD_REQUIREMENT + card_at + bag_at
        points = 5 * (card_total // CARD_REQUIREMENT) + card_at + 3 * bag_at
        assert len(ledger) == points_rewards, (contact, len(ledger), points_rewards)
        assert sum((Decimal(str(t["amount"])) for t in ledger), Decimal(0)) == points
        assert sum((Decimal(str(a["balance"])) for a in accounts), Decimal(0)) == points

        # The free bags: one promotion assignment per completed bag card.
        offers = (await http.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json()
        assert [o["promotionId"] for o in offers] == [race.promotion["id"]] * (bag_total // BAG_REQUIREMENT)
        assignment_ids = {r["promotionAssignmentId"] for r in rewards if r["reward"]["type"] == "promotion"}
        assert assignment_ids == {o["id"] for o in offers}


async def test_small_batches_and_receipts_at_once_count_exactly_and_reward_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], settings: Settings
) -> None:
    race = await prepare(client, admin, till)

    async def send(path: str, body: Any, key: str) -> httpx.Response:
        return await client.post(path, json=body, headers=till)

    acknowledged, problems = await race_all(race, send)
    await check_counts_and_rewards(client, till, acknowledged)
    assert problems == []
    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")


@dataclass(frozen=True)
class Served:
    url: str
    database_url: str
    admin: dict[str, str]
    till: dict[str, str]


@pytest.fixture
async def served(fresh_postgres_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    """`patron serve --workers 2` on a PostgreSQL database of its own."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    database = create_database(Settings(database_url=fresh_postgres_url))
    try:
        admin = await issue_token(database, Role.ADMIN, "back office")
        till = await issue_token(database, Role.INTEGRATION, "till")
    finally:
        await database.dispose()
    server = ServerProcess(fresh_postgres_url, tmp_path / "server.log", workers=2, log_level="INFO")
    try:
        await asyncio.to_thread(server.start)
        yield Served(server.url, fresh_postgres_url, {"apikey": admin}, {"apikey": till})
    finally:
        await asyncio.to_thread(server.stop)


async def test_small_batches_and_receipts_across_processes_count_exactly_and_reward_once(
    served: Served,
) -> None:
    async with httpx.AsyncClient(base_url=served.url, timeout=RACE_SECONDS) as http:
        race = await prepare(http, served.admin, served.till)

    retries: Counter[str] = Counter()
    calls = len(race.batches) + len(race.receipts)
    limits = httpx.Limits(max_connections=calls, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=served.url, timeout=RACE_SECONDS, limits=limits, headers=served.till
    ) as http:

        async def send(path: str, body: Any, key: str) -> httpx.Response:
            """Resent with its Idempotency-Key until it is done, as a till does."""
            deadline = time.monotonic() + RACE_SECONDS
            while True:
                try:
                    answer = await http.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.TransportError as exc:
                    assert time.monotonic() < deadline, f"{key}: {exc!r}"
                    retries[type(exc).__name__] += 1
                else:
                    if answer.status_code not in RETRY_STATUSES or time.monotonic() > deadline:
                        return answer
                    assert answer.json()["key"] == RETRY_STATUSES[answer.status_code]
                    retries[str(answer.status_code)] += 1
                await asyncio.sleep(RETRY_PAUSE_SECONDS)

        started = time.monotonic()
        acknowledged, problems = await race_all(race, send)
        seconds = time.monotonic() - started
    print(f"{calls} small batches and receipts across 2 processes in {seconds:.2f}s, retries {dict(retries)}")

    async with httpx.AsyncClient(base_url=served.url, timeout=RACE_SECONDS) as http:
        await check_counts_and_rewards(http, served.till, acknowledged)
    assert problems == []
    code, output = await asyncio.to_thread(run_check, Settings(database_url=served.database_url))
    assert (code, output.strip()) == (0, "No differences.")
