"""Concurrency: 20 concurrent streams of events for one customer add up exactly and reward
each rule once (in one application, so on PostgreSQL they are concurrent transactions), and
50 concurrent redeems of one coupon across 2 `patron serve` processes succeed exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from patron.auth.roles import Role
from patron.db.engine import Database, create_database
from patron.models import CustomEvent, Reward
from tests.campaigns.factories import basic, make_campaign, progress, send_event
from tests.campaigns.test_coupons import ORDER, coupon_campaign
from tests.conftest import issue_token, make_settings, migrated_database
from tests.reliability.server import ServerProcess

STREAMS = 20
EACH = 5
REDEEMS = 50


def counting_campaign() -> dict[str, Any]:
    """Rules every stream's events move: a count reached part-way, a sum, and one out of reach."""
    return {
        "name": "Busy",
        "rules": [
            {
                "name": "50 visits",
                "reward": {"type": "points", "amount": 7},
                "actions": [{"event_name": "visit", "target": 50}],
            },
            {
                "name": "Spend 1000",
                "reward": {"type": "points", "amount": 11},
                "actions": [
                    {"event_name": "visit", "aggregation": "sum", "property": "spent", "target": 1000}
                ],
            },
            {
                "name": "A million visits",
                "reward": {"type": "points", "amount": 1},
                "actions": [{"event_name": "visit", "target": 1_000_000}],
            },
        ],
    }


async def _stored(database: Database, model: type, *where: Any) -> int:
    async with database.read_engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def test_twenty_concurrent_streams_count_exactly_and_reward_each_rule_once(
    client: httpx.AsyncClient, admin: dict[str, str], integration_token: str, database: Database
) -> None:
    shop = basic(integration_token)
    campaign = await make_campaign(client, admin, **counting_campaign())

    async def stream(number: int) -> None:
        for index in range(EACH):
            # Each event is sent twice: the repeat must change nothing.
            for _ in range(2):
                await send_event(
                    client, shop, "visit", "HOT-1", event_id=f"s{number}-{index}", metadata={"spent": "10"}
                )

    await asyncio.gather(*(stream(number) for number in range(STREAMS)))
    [shown] = await progress(client, shop, "HOT-1", campaign_id=campaign["campaign_id"])
    currents = [rule["actions"][0]["current"] for rule in shown["rules"]]
    # 100 visits: the 50 reached and capped there, 1000 spent of 1000, 100 of a million.
    assert currents == [50, 1000, STREAMS * EACH]
    assert [rule["actions"][0]["status"] for rule in shown["rules"]] == ["completed", "completed", "active"]
    assert await _stored(database, CustomEvent) == STREAMS * EACH
    rewards = await _stored(database, Reward, Reward.source_type == "campaign_rule")
    assert rewards == 2
    wallets = (await client.get("/wallets/customer/HOT-1", headers=shop)).json()["wallets"]
    assert [w["balance"] for w in wallets] == [18]


@pytest.fixture
async def shared_database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, Database]]:
    async with migrated_database(backend, tmp_path) as url:
        database = create_database(make_settings(url))
        try:
            yield url, database
        finally:
            await database.dispose()


async def test_fifty_concurrent_redeems_across_two_servers_succeed_once(
    shared_database: tuple[str, Database], tmp_path: Path
) -> None:
    url, database = shared_database
    admin = {"apikey": await issue_token(database, Role.ADMIN, "back office")}
    shop = basic(await issue_token(database, Role.INTEGRATION, "web shop"))
    first = ServerProcess(url, tmp_path / "first.log", embedded_worker="false")
    second = ServerProcess(url, tmp_path / "second.log", embedded_worker="false", taken=[first.port])
    try:
        await asyncio.gather(asyncio.to_thread(first.start), asyncio.to_thread(second.start))
        async with httpx.AsyncClient(base_url=first.url, timeout=60) as one:
            await make_campaign(one, admin, **coupon_campaign())
            await send_event(one, shop, "signup", "RUSH-1")
            [coupon] = (
                await one.post("/coupons/list/all", json={"source_id": "RUSH-1"}, headers=shop)
            ).json()["coupons"]
        body = {
            "coupon_details": [{"coupon_id": coupon["coupon_id"], "coupon_code": coupon["coupon_code"]}],
            "source_id": "RUSH-1",
            "order": ORDER,
        }
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=60) as one,
            httpx.AsyncClient(base_url=second.url, timeout=60) as two,
        ):

            async def redeem(http: httpx.AsyncClient) -> httpx.Response:
                # A 503 (the database refused a connection: this machine is shared) changed
                # nothing and says to retry, as a web shop would.
                for _ in range(20):
                    answer = await http.post("/coupons/apply?type=redeem", json=body, headers=shop)
                    if answer.status_code != 503:
                        return answer
                    await asyncio.sleep(float(answer.headers.get("retry-after", "1")))
                return answer

            answers = await asyncio.gather(
                *(redeem(one if attempt % 2 else two) for attempt in range(REDEEMS))
            )
    finally:
        first.stop()
        second.stop()
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: 1, 409: REDEEMS - 1}, statuses
    refused = [answer.json() for answer in answers if answer.status_code == 409]
    assert {body["key"] for body in refused} == {"coupon_already_redeemed"}
    logs = "".join(path.read_text() for path in (tmp_path / "first.log", tmp_path / "second.log"))
    # The only tracebacks allowed are the database refusing a connection (answered as a 503).
    tracebacks = logs.split("Traceback (most recent call last):")[1:]
    assert all("TooManyConnectionsError" in told for told in tracebacks), logs
