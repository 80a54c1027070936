"""What pays a reward: a points reward that names no point definition credits the deployment's
default (PATRON_DEFAULT_POINT_DEFINITION_ID), else the definition named "Points", made on first
use; a promotion that can no longer be assigned leaves its reward on record, unpaid, and the
checkpoint that earned it still counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx
import pytest

from patron.app import create_app
from patron.db.engine import Database
from tests.challenges.factories import challenges_of, make_definition
from tests.conftest import make_settings
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_promotion
from tests.rewards.reads import assignments, by_threshold, point_definitions, point_transactions, reward_rows

CHECKPOINTS = "/api/v3/challenges/checkpoints"
UNNAMED_POINTS = {"type": "points", "amount": 7}


@asynccontextmanager
async def application(database_url: str, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an application of its own, with these settings, on the test's database."""
    app = create_app(make_settings(database_url, **settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://patron.test") as http,
    ):
        yield http


async def complete(http: httpx.AsyncClient, till: dict[str, str], contact: str, definition_id: str) -> None:
    row = {"definitionId": definition_id, "contactId": contact, "checkpointAmount": 1}
    answer = await http.post(CHECKPOINTS, json=[row], headers=till)
    assert (answer.status_code, answer.json()["notAccepted"]) == (200, []), answer.text


async def balances(client: httpx.AsyncClient, till: dict[str, str], contact: str) -> dict[int, Decimal]:
    accounts = await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    assert accounts.status_code == 200, accounts.text
    return {a["definitionId"]: Decimal(str(a["balance"])) for a in accounts.json()}


async def test_a_points_reward_naming_no_definition_credits_the_configured_default(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    database_url: str,
) -> None:
    made = await client.post(
        "/api/v3/point-accounts/definitions", json={"name": "Club points"}, headers=admin
    )
    assert made.status_code == 200, made.text
    club = made.json()["id"]
    definition = await make_definition(
        client, admin, requiredNumberOfCheckpoints=1, rewards={"onCompletion": UNNAMED_POINTS}
    )
    contact = await make_contact(client, till)

    async with application(database_url, default_point_definition_id=club) as configured:
        await complete(configured, till, contact, definition["id"])

    [transaction] = await point_transactions(database, contact)
    assert transaction.amount == 7
    [reward] = await reward_rows(database, contact)
    assert (reward.point_definition_id, reward.point_transaction_id) == (club, transaction.id)
    assert await balances(client, till, contact) == {club: Decimal(7)}
    # The default was there: no "Points" definition is made.
    assert [d.name for d in await point_definitions(database)] == ["Club points"]


async def test_without_a_configured_default_points_go_to_points_made_once_and_reused(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    """Ten contacts complete at once, each the first to need "Points"; one more does later."""
    definition = await make_definition(
        client, admin, requiredNumberOfCheckpoints=1, rewards={"onCompletion": UNNAMED_POINTS}
    )
    contacts = [await make_contact(client, till) for _ in range(11)]
    assert await point_definitions(database) == []

    await asyncio.gather(*(complete(client, till, contact, definition["id"]) for contact in contacts[:10]))
    [made] = await point_definitions(database)
    await complete(client, till, contacts[10], definition["id"])

    assert [(d.id, d.name) for d in await point_definitions(database)] == [(made.id, "Points")]
    listed = await client.get("/api/v3/point-accounts/definitions", headers=admin)
    assert [(d["id"], d["name"]) for d in listed.json()["items"]] == [(made.id, "Points")]
    for contact in contacts:
        [transaction] = await point_transactions(database, contact)
        [reward] = await reward_rows(database, contact)
        assert (reward.point_definition_id, reward.point_transaction_id) == (made.id, transaction.id)
        assert await balances(client, till, contact) == {made.id: Decimal(7)}


@pytest.mark.parametrize(
    ("withdraw", "reason"),
    [("deactivate", "PromotionNotActive"), ("delete", "PromotionNotFound")],
)
async def test_a_promotion_withdrawn_after_the_definition_leaves_its_reward_unpaid_and_the_checkpoint_counted(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    withdraw: str,
    reason: str,
) -> None:
    offer = await make_promotion(client, admin, name="Free bag")
    promotion_reward = {"type": "promotion", "promotionId": offer["id"]}
    definition = await make_definition(
        client,
        admin,
        requiredNumberOfCheckpoints=2,
        rewards={
            "onCompletion": promotion_reward,
            "checkpoints": [{"atCheckpoint": 1, "reward": UNNAMED_POINTS}],
        },
    )
    path = f"/api/v3/promotions/multichannels/{offer['id']}"
    if withdraw == "deactivate":
        withdrawn = await client.post(f"{path}/deactivate", headers=admin)
    else:
        withdrawn = await client.delete(path, headers=admin)
    assert withdrawn.status_code in (200, 204), withdrawn.text
    contact = await make_contact(client, till)

    row = {"definitionId": definition["id"], "contactId": contact, "checkpointAmount": 2}
    answer = await client.post(CHECKPOINTS, json=[row], headers=till)

    assert (answer.status_code, answer.json()["notAccepted"]) == (200, [])
    [challenge] = await challenges_of(client, till, contact)
    assert (challenge["status"], challenge["completedCheckpoints"]) == (2, 2)
    rows = by_threshold(await reward_rows(database, contact))
    assert rows.keys() == {"completion", "checkpoint:1"}
    unpaid = rows["completion"]
    assert (unpaid.reward_type, unpaid.promotion_id, unpaid.promotion_assignment_id) == (
        "promotion",
        offer["id"],
        None,
    )
    assert unpaid.details == {"reward": promotion_reward, "unpaid": reason}
    assert await assignments(database, contact) == []
    # The rest of what the checkpoint earned is paid, in the same transaction.
    [transaction] = await point_transactions(database, contact)
    assert rows["checkpoint:1"].point_transaction_id == transaction.id
    assert "unpaid" not in rows["checkpoint:1"].details

    listed = by_threshold(
        (await client.get(f"/api/v3/contacts/{contact}/rewards", headers=till)).json()["items"]
    )
    assert listed["completion"]["reward"] == promotion_reward
    assert listed["completion"]["promotionAssignmentId"] is None
    assert listed["checkpoint:1"]["pointTransactionId"] == transaction.id
    assert (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json() == []
