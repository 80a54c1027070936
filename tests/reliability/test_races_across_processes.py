"""The redemption, checkpoint and record-log races across server processes: `patron serve --workers 2` on
PostgreSQL (the two processes share nothing but the database), one process on SQLite.

50 tills redeem one assignment at once: exactly one is answered 200, the 49 others 409
PromotionAlreadyRedeemed, and the database holds one redemption. 20 checkpoint batches over the
same 100 contacts at once: every count is the exact sum and every reward is paid once. 20
streams of challenge and streak logs for one member at once: the progress is the exact sum,
each milestone is rewarded once, and the logs rebuild every row.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from patron.auth.roles import Role
from patron.config import Settings
from patron.db import migrate
from patron.db.engine import Database, create_database
from patron.db.session import transaction
from patron.models import PromotionAssignment
from tests.challenges import checkpoint_race
from tests.conftest import _create_postgres_database, _drop_postgres_database, issue_token
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion
from tests.reliability.server import ServerProcess
from tests.reliability.streams import RETRY_PAUSE_SECONDS, RETRY_STATUSES

REDEEMS = 50
# Each race must finish well within this; the whole module stays under a minute per database.
RACE_SECONDS = 30.0


@dataclass(frozen=True)
class Racing:
    backend: str
    url: str
    database: Database
    admin: dict[str, str]
    till: dict[str, str]

    def client(self, **options: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, timeout=RACE_SECONDS, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def racing(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Racing]:
    """A real server on a database of its own, two worker processes on it: on SQLite, two
    processes on one file, taking turns on its write lock."""
    directory = tmp_path_factory.mktemp("races")
    if backend == "postgresql":
        database_url = await _create_postgres_database()
    else:
        database_url = f"sqlite+aiosqlite:///{directory / 'races.db'}"
    database = create_database(Settings(database_url=database_url))
    server = ServerProcess(database_url, directory / "server.log", workers=2, log_level="INFO")
    try:
        await asyncio.to_thread(migrate.upgrade, database_url)
        admin = await issue_token(database, Role.ADMIN, "back office")
        till = await issue_token(database, Role.INTEGRATION, "till")
        await asyncio.to_thread(server.start)
        yield Racing(backend, server.url, database, {"apikey": admin}, {"apikey": till})
    finally:
        await asyncio.to_thread(server.stop)
        await database.dispose()
        if backend == "postgresql":
            await _drop_postgres_database(database_url)


async def _redemptions(database: Database, promotion_id: str) -> int:
    async with transaction(database, write=False) as session:
        query = (
            select(func.count())
            .select_from(PromotionAssignment)
            .where(
                PromotionAssignment.promotion_id == uuid.UUID(promotion_id),
                PromotionAssignment.redeemed_on.is_not(None),
            )
        )
        return int((await session.execute(query)).scalar_one())


async def test_fifty_concurrent_redeems_across_processes_make_one_redemption(racing: Racing) -> None:
    async with racing.client() as http:
        contact = await make_contact(http, racing.till)
        promotion = await make_promotion(http, racing.admin)
        assignment = await make_assignment(http, racing.admin, contact, promotion["id"])

    # One connection per till and none reused, so the redeems spread over both processes.
    limits = httpx.Limits(max_connections=REDEEMS, max_keepalive_connections=0)
    started = time.monotonic()
    async with racing.client(limits=limits) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"/api/v3/promotion-assignments/{assignment['id']}/redeem",
                    json={"redemptionChannel": "POS"},
                    headers=racing.till,
                )
                for _ in range(REDEEMS)
            )
        )
    seconds = time.monotonic() - started
    outcomes = Counter((r.status_code, r.json().get("key")) for r in responses)
    redemptions = await _redemptions(racing.database, promotion["id"])

    print(
        f"{racing.backend}: {REDEEMS} redeems answered {dict(outcomes)}, {redemptions} stored, {seconds:.2f}s"
    )
    assert outcomes == {(200, None): 1, (409, "PromotionAlreadyRedeemed"): REDEEMS - 1}
    assert redemptions == 1


async def _send_batch(
    http: httpx.AsyncClient, batch: list[dict[str, object]], key: str, retries: Counter[str]
) -> dict[str, object]:
    """One till's batch, resent with its Idempotency-Key until it is answered 200: after a
    transport error or an answer that means "not done" (a retry replays or runs it once)."""
    deadline = time.monotonic() + RACE_SECONDS
    while True:
        try:
            response = await http.post(
                "/api/v3/challenges/checkpoints", json=batch, headers={"Idempotency-Key": key}
            )
        except httpx.TransportError as exc:
            assert time.monotonic() < deadline, f"{key}: {exc!r}"
            retries[type(exc).__name__] += 1
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        if response.status_code not in RETRY_STATUSES or time.monotonic() > deadline:
            assert response.status_code == 200, response.text[:300]
            return dict(response.json())
        assert response.json()["key"] == RETRY_STATUSES[response.status_code]
        retries[str(response.status_code)] += 1
        await asyncio.sleep(RETRY_PAUSE_SECONDS)


async def test_concurrent_checkpoint_batches_across_processes_count_exactly_and_reward_once(
    racing: Racing,
) -> None:
    async with racing.client() as http:
        race = await checkpoint_race.prepare(http, racing.admin, racing.till)

    limits = httpx.Limits(max_connections=len(race.batches), max_keepalive_connections=0)
    retries: Counter[str] = Counter()
    started = time.monotonic()
    async with racing.client(limits=limits, headers=racing.till) as http:
        answers = await asyncio.gather(
            *(_send_batch(http, batch, f"race-{n}", retries) for n, batch in enumerate(race.batches))
        )
    seconds = time.monotonic() - started
    checkpoint_race.check_answers(race, answers)
    async with racing.client() as http:
        await checkpoint_race.check_counts_and_rewards(http, racing.till, race)

    rows = sum(len(batch) for batch in race.batches)
    print(
        f"{racing.backend}: {len(race.batches)} batches of {len(race.contacts)} rows ({rows} checkpoints) "
        f"in {seconds:.2f}s, retries {dict(retries)}"
    )


STREAMS = 20
LOGS_PER_STREAM = 10


async def _send_log(
    http: httpx.AsyncClient, path: str, body: dict[str, object], retries: Counter[str]
) -> None:
    """One log, resent until it is answered: after a transport error or a 503 the same
    uniqueIdentifier goes again, and a 409 DuplicateUniqueIdentifier then means the first try
    was counted."""
    deadline = time.monotonic() + RACE_SECONDS
    tried = False
    while True:
        try:
            response = await http.post(path, json=body)
        except httpx.TransportError as exc:
            assert time.monotonic() < deadline, f"{body['uniqueIdentifier']}: {exc!r}"
            retries[type(exc).__name__] += 1
            tried = True
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        if response.status_code == 503 and time.monotonic() < deadline:
            retries["503"] += 1
            tried = True
            await asyncio.sleep(RETRY_PAUSE_SECONDS)
            continue
        if tried and response.status_code == 409 and response.json()["key"] == "DuplicateUniqueIdentifier":
            return
        assert response.status_code == 201, response.text[:300]
        return


async def test_concurrent_log_streams_of_one_member_across_processes_add_up_and_reward_once(
    racing: Racing,
) -> None:
    from datetime import UTC, datetime, timedelta

    from patron.kit import clock
    from patron.records import rebuild

    async with racing.client() as http:
        member = await make_contact(http, racing.till)
        made = await http.post(
            "/schema/challenge/record",
            json={
                "name": "Big spender",
                "description": "d",
                "status": "live",
                "completionTargetValue": 10_000,
                "aggregationMethod": "sum",
                "aggregationPeriod": "monthly",
                "timezone": "UTC",
            },
            headers=racing.admin,
        )
        assert made.status_code == 201, made.text
        challenge = made.json()["data"]["id"]
        streak_made = await http.post(
            "/schema/streak/record",
            json={
                "name": "Every day",
                "description": "d",
                "status": "live",
                "completionTargetValue": 5,
                "aggregationMethod": "count",
                "aggregationPeriod": "daily",
                "aggregationTargetValue": 1,
                "timezone": "UTC",
            },
            headers=racing.admin,
        )
        assert streak_made.status_code == 201, streak_made.text
        streak = streak_made.json()["data"]["id"]
        for target in (100, 700, 1400):
            milestone = await http.post(
                "/schema/milestone/record",
                json={
                    "linkedSchemaSlug": "challenge",
                    "linkedSchemaRecordId": challenge,
                    "name": f"At {target}",
                    "milestoneTargetValue": target,
                    "reward": {"type": "coupon", "codePrefix": "BIG"},
                },
                headers=racing.admin,
            )
            assert milestone.status_code == 201, milestone.text

    # One instant for every log, so the month or day cannot turn during the race.
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    retries: Counter[str] = Counter()

    async def stream(number: int, http: httpx.AsyncClient) -> None:
        for n in range(LOGS_PER_STREAM):
            key = f"s{number}-{n}"
            await _send_log(
                http,
                "/schema/challenge_log/record",
                {
                    "challengeId": challenge,
                    "ownedById": member,
                    "uniqueIdentifier": key,
                    "activityValue": 7,
                    "activityAt": at,
                },
                retries,
            )
            await _send_log(
                http,
                "/schema/streak_log/record",
                {"streakId": streak, "ownedById": member, "uniqueIdentifier": key, "activityAt": at},
                retries,
            )

    limits = httpx.Limits(max_connections=STREAMS, max_keepalive_connections=0)
    started = time.monotonic()
    async with racing.client(limits=limits, headers=racing.till) as http:
        await asyncio.gather(*(stream(number, http) for number in range(STREAMS)))
    seconds = time.monotonic() - started
    logs = STREAMS * LOGS_PER_STREAM

    async with racing.client(headers=racing.admin) as http:
        progress = (await http.get("/schema/challenge_progress/record")).json()["data"]
        runs = (await http.get("/schema/streak_progress/record")).json()["data"]
        rewards = (await http.get("/schema/reward_log/record", params={"limit": 100})).json()["data"]
    assert [(row["currentProgressValue"], row["ownedById"]) for row in progress] == [(7 * logs, member)]
    assert [(run["currentProgressValue"], run["currentPeriodValue"]) for run in runs] == [(1, logs)]
    # Each milestone rewarded once, with a code of its own.
    assert sorted(reward["milestoneId"] for reward in rewards) == sorted(
        {reward["milestoneId"] for reward in rewards}
    )
    assert len(rewards) == 3
    assert len({reward["couponCode"] for reward in rewards}) == 3
    async with transaction(racing.database, write=False) as session:
        assert await rebuild.differences(session, clock.now()) == []
    print(
        f"{racing.backend}: {STREAMS} streams of {LOGS_PER_STREAM} challenge and streak logs "
        f"({2 * logs} logs) in {seconds:.2f}s, retries {dict(retries)}"
    )
