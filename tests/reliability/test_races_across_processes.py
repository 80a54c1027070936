"""The redemption and checkpoint races across server processes: `patron serve --workers 2` on
PostgreSQL (the two processes share nothing but the database), one process on SQLite.

50 tills redeem one assignment at once: exactly one is answered 200, the 49 others 409
PromotionAlreadyRedeemed, and the database holds one redemption. 20 checkpoint batches over the
same 100 contacts at once: every count is the exact sum and every reward is paid once.
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
