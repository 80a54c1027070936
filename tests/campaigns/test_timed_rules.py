"""Timed rules with a moved clock: an IWT rule rewarded once by the window job when its
trigger never came, never when it came in time; an AWT rule missed when the time ran out; a
benchmark sent late counts the triggers the ledger already holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from patron.db.engine import Database
from patron.models import Reward
from patron.state import AppState
from patron.worker import campaign_windows
from tests.campaigns.factories import awt_campaign, basic, make_campaign, progress, send_event
from tests.clock import frozen_at

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = 86400


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


def iwt_campaign() -> dict[str, Any]:
    """No order within a day of a cart being abandoned: 20 points to win the customer back."""
    return {
        "name": "Come back",
        "rules": [
            {
                "name": "No order within a day of leaving a cart",
                "action_type": "IWT",
                "time_duration": DAY,
                "reward": {"type": "points", "amount": 20},
                "actions": [
                    {"event_name": "cart_abandoned", "role": "benchmark"},
                    {"event_name": "order_success", "role": "trigger"},
                ],
            }
        ],
    }


async def _rewards(database: Database) -> list[Reward]:
    async with database.read_engine.connect() as connection:
        rows = (await connection.execute(select(Reward).where(Reward.source_type == "campaign_rule"))).all()
    return [Reward(**row._mapping) for row in rows]


async def test_inaction_is_rewarded_once_when_the_window_job_runs_after_the_window(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    shop: dict[str, str],
    state: AppState,
    database: Database,
) -> None:
    with frozen_at(START):
        await make_campaign(client, admin, **iwt_campaign())
        await send_event(client, shop, "cart_abandoned", "C-1")
    with frozen_at(START + timedelta(seconds=DAY - 1)):
        assert await campaign_windows.run_once(state) == 0
        assert await _rewards(database) == []
    with frozen_at(START + timedelta(seconds=DAY)):
        assert await campaign_windows.run_once(state) == 1
        assert await campaign_windows.run_once(state) == 0
    [reward] = await _rewards(database)
    assert reward.points == 20 and reward.threshold == "completion"
    wallets = (await client.get("/wallets/customer/C-1", headers=shop)).json()
    assert [wallet["balance"] for wallet in wallets["wallets"]] == [20]


async def test_a_trigger_inside_the_window_means_never_rewarded(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    shop: dict[str, str],
    state: AppState,
    database: Database,
) -> None:
    with frozen_at(START):
        await make_campaign(client, admin, **iwt_campaign())
        await send_event(client, shop, "cart_abandoned", "C-2")
    with frozen_at(START + timedelta(hours=3)):
        await send_event(client, shop, "order_success", "C-2")
    with frozen_at(START + timedelta(days=3)):
        assert await campaign_windows.run_once(state) == 0
        await send_event(client, shop, "cart_abandoned", "C-2")
    with frozen_at(START + timedelta(days=10)):
        assert await campaign_windows.run_once(state) == 0
    assert await _rewards(database) == []


async def test_an_order_after_the_two_days_does_not_complete_the_awt_rule(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    shop: dict[str, str],
    state: AppState,
    database: Database,
) -> None:
    with frozen_at(START):
        campaign = await make_campaign(client, admin, **awt_campaign())
        await send_event(client, shop, "signup", "C-3")
    with frozen_at(START + timedelta(days=2, seconds=1)):
        await send_event(client, shop, "order_success", "C-3", metadata={"order_total": 300})
        [shown] = await progress(client, shop, "C-3", campaign_id=campaign["campaign_id"])
    order = shown["rules"][0]["actions"][1]
    # Active, not triggered, no time left: the customer ran out of time (the seed's case 2).
    assert (order["status"], order["trigger"], order["time_left"], order["current"]) == (
        "active",
        False,
        0,
        0,
    )
    assert await _rewards(database) == []


async def test_a_late_benchmark_counts_the_orders_already_sent_inside_its_window(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], database: Database
) -> None:
    with frozen_at(START):
        campaign = await make_campaign(client, admin, **awt_campaign())
    with frozen_at(START + timedelta(hours=5)):
        await send_event(client, shop, "order_success", "C-4", metadata={"order_total": 250})
        # The signup reaches Patron after the order, stamped with when it happened.
        await send_event(
            client, shop, "signup", "C-4", timestamp=int((START + timedelta(hours=1)).timestamp())
        )
        [shown] = await progress(client, shop, "C-4", campaign_id=campaign["campaign_id"])
    signup, order = shown["rules"][0]["actions"]
    assert signup["start_time"] == int((START + timedelta(hours=1)).timestamp())
    assert (order["status"], order["current"]) == ("completed", 1)
    [reward] = await _rewards(database)
    assert reward.coupon_code is not None and reward.coupon_code.startswith("TWENTY-")
