"""Custom events: stored once per customer and event_id, numbers sent as strings, late and
future timestamps, unknown customers made on the spot, campaign periods respected, and
event.received in the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from patron.db.engine import Database
from patron.models import Contact, CustomEvent, OutboxEvent, Reward
from tests.campaigns.factories import basic, make_campaign, progress, rta_campaign, send_event
from tests.clock import frozen_at

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def shop(integration_token: str) -> dict[str, str]:
    return basic(integration_token)


async def _count(database: Database, model: type, *where: object) -> int:
    async with database.read_engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(model).where(*where))).scalar_one()
        )


async def test_the_same_event_id_three_times_counts_once_and_is_answered_alike(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], database: Database
) -> None:
    campaign = await make_campaign(client, admin, **rta_campaign())
    answers = [
        await send_event(client, shop, "money_deposited", "D-1", event_id="dep-1", metadata={"amount": 300})
        for _ in range(3)
    ]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["event_id"] == "dep-1" and answers[0]["customer_id"].startswith("cust_")
    [shown] = await progress(client, shop, "D-1", campaign_id=campaign["campaign_id"])
    assert shown["rules"][0]["actions"][0]["current"] == 300
    assert await _count(database, CustomEvent) == 1
    assert await _count(database, OutboxEvent, OutboxEvent.type == "event.received") == 1


async def test_an_unknown_source_id_becomes_a_customer_and_a_contact(
    client: httpx.AsyncClient, shop: dict[str, str], till: dict[str, str], database: Database
) -> None:
    await send_event(client, shop, "page_view", "NEW-7")
    customer = (await client.get("/customers/NEW-7", headers=shop)).json()
    assert customer["source_id"] == "NEW-7" and customer["id"].startswith("cust_")
    contact_id = (
        await client.get("/api/v3/contacts/id", params={"externalId": "NEW-7"}, headers=till)
    ).json()
    assert customer["id"] == "cust_" + contact_id.replace("-", "")
    assert await _count(database, Contact, Contact.external_id == "NEW-7") == 1


async def test_timestamps_epoch_iso_and_too_far_ahead(
    client: httpx.AsyncClient, shop: dict[str, str]
) -> None:
    with frozen_at(NOW):
        epoch = await send_event(client, shop, "visit", "T-1", timestamp=int(NOW.timestamp()) - 60)
        assert epoch["timestamp"] == int(NOW.timestamp()) - 60
        iso = await send_event(client, shop, "visit", "T-1", timestamp="2026-12-07T11:00:00+01:00")
        assert iso["timestamp"] == int((NOW - timedelta(hours=2)).timestamp())
        numeric = await send_event(client, shop, "visit", "T-1", timestamp=str(int(NOW.timestamp())))
        assert numeric["timestamp"] == int(NOW.timestamp())
        near = await send_event(client, shop, "visit", "T-1", timestamp=int(NOW.timestamp()) + 299)
        assert near["timestamp"] == int(NOW.timestamp()) + 299
        ahead = await client.post(
            "/events/invoke",
            json={"event_name": "visit", "source_id": "T-1", "timestamp": int(NOW.timestamp()) + 301},
            headers=shop,
        )
        assert ahead.status_code == 400, ahead.text
        assert ahead.json()["key"] == "event_in_future"
        garbled = await client.post(
            "/events",
            json={"event_name": "visit", "source_id": "T-1", "timestamp": "yesterday"},
            headers=shop,
        )
        assert garbled.status_code == 400 and garbled.json()["key"] == "bad_request"


async def test_events_outside_the_campaign_period_do_not_count(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], database: Database
) -> None:
    with frozen_at(NOW):
        campaign = await make_campaign(
            client,
            admin,
            **rta_campaign(),
            starts_at="2026-12-07T10:00:00Z",
            ends_at="2026-12-07T14:00:00Z",
        )
        await send_event(client, shop, "order_success", "P-1", timestamp="2026-12-07T09:59:59Z")
        await send_event(client, shop, "complete_KYC_Verification", "P-1", timestamp="2026-12-07T09:00:00Z")
        [shown] = await progress(client, shop, "P-1", campaign_id=campaign["campaign_id"])
        assert shown["rules"][0]["actions"][1]["current"] == 0
        await send_event(client, shop, "complete_KYC_Verification", "P-1")
    with frozen_at(NOW + timedelta(hours=3)):
        await send_event(client, shop, "order_success", "P-1")
        [shown] = await progress(client, shop, "P-1", campaign_id=campaign["campaign_id"])
    assert shown["rules"][0]["actions"][1]["current"] == 0
    assert shown["rules"][1]["actions"][0]["status"] == "completed"
    assert await _count(database, Reward, Reward.source_type == "campaign_rule") == 1


async def test_a_completed_rule_is_rewarded_once_with_its_events(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str], database: Database
) -> None:
    campaign = await make_campaign(client, admin, **rta_campaign())
    await send_event(client, shop, "money_deposited", "R-1", metadata={"amount": "1500.50"})
    await send_event(client, shop, "order_success", "R-1")
    await send_event(client, shop, "order_success", "R-1")
    await send_event(client, shop, "money_deposited", "R-1", metadata={"amount": 10})
    [shown] = await progress(client, shop, "R-1")
    assert shown["campaign_id"] == campaign["campaign_id"]
    deposit = shown["rules"][0]["actions"][0]
    assert (deposit["progress"], deposit["status"], deposit["target"]) == (100, "completed", 1000)
    rewards = await _count(database, Reward, Reward.source_type == "campaign_rule")
    completed = await _count(database, OutboxEvent, OutboxEvent.type == "campaign.rule_completed")
    issued = await _count(database, OutboxEvent, OutboxEvent.type == "reward.issued")
    assert (rewards, completed, issued) == (1, 1, 1)
    wallets = (await client.get("/wallets/customer/R-1", headers=shop)).json()["wallets"]
    assert [w["balance"] for w in wallets] == [50]


async def test_conditions_and_non_numeric_amounts(
    client: httpx.AsyncClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    campaign = await make_campaign(
        client,
        admin,
        name="Shoes",
        rules=[
            {
                "name": "Three shoe orders between 50 and 500",
                "reward": {"type": "points", "amount": 5},
                "actions": [
                    {
                        "event_name": "order_success",
                        "target": 3,
                        "conditions": [
                            {"property": "total", "op": "between", "value": [50, 500]},
                            {"property": "category", "op": "contains", "value": "shoe"},
                            {"property": "store.country", "op": "eq", "value": "NL"},
                        ],
                    }
                ],
            }
        ],
    )
    good = {"total": "120", "category": "running shoes", "store": {"country": "NL"}}
    for metadata in (
        good,
        {**good, "total": "49.99"},
        {**good, "total": "abc"},
        {**good, "category": "socks"},
        {**good, "store": {"country": "BE"}},
        {**good, "total": 500},
    ):
        await send_event(client, shop, "order_success", "S-1", metadata=metadata)
    [shown] = await progress(client, shop, "S-1", campaign_id=campaign["campaign_id"])
    assert (shown["rules"][0]["actions"][0]["current"], shown["rules"][0]["actions"][0]["progress"]) == (
        2,
        66,
    )


async def test_check_auth_and_credentials(client: httpx.AsyncClient, shop: dict[str, str]) -> None:
    good = await client.get("/events/segment/check-auth", headers=shop)
    assert good.status_code == 200 and good.json()["status"] == "ok"
    bad = await client.get("/events/segment/check-auth", headers=basic("pk_0000000000000000.wrong"))
    assert bad.status_code == 401
    assert bad.json()["key"] == "unauthorized" and bad.headers["www-authenticate"].startswith("Basic")
    missing = await client.post("/events/invoke", json={"event_name": "x", "source_id": "y"})
    assert missing.status_code == 401


async def test_bad_bodies_are_400_and_store_nothing(
    client: httpx.AsyncClient, shop: dict[str, str], database: Database
) -> None:
    for body in (
        {"source_id": "B-1"},
        {"event_name": "x"},
        {"event_name": "", "source_id": "B-1"},
        {"event_name": "x", "source_id": "B-1", "metadata": "not an object"},
        {"event_name": "x", "source_id": "B-1", "timestamp": True},
        {"event_name": "x", "source_id": "B" * 201},
    ):
        answer = await client.post("/events/invoke", json=body, headers=shop)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["key"] == "bad_request" and answer.json()["request_id"]
    assert await _count(database, CustomEvent) == 0
    assert await _count(database, Contact) == 0
