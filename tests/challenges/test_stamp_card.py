"""Receipt-driven checkpoints: the "dog food, buy 5 get one free" stamp card."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity, ReceiptLineActivity, publish_receipt
from patron.db.engine import Database
from patron.db.session import transaction
from patron.kit import clock
from patron.rewards import issuers
from tests.challenges.factories import challenges_of, make_contact, make_definition

issued: list[tuple[uuid.UUID, uuid.UUID]] = []


async def record_promotion(session: AsyncSession, contact_id: uuid.UUID, promotion_id: uuid.UUID) -> None:
    issued.append((contact_id, promotion_id))


@pytest.fixture
def promotion_issuer() -> Any:
    issued.clear()
    issuers.register_promotion_issuer(record_promotion)
    yield issued
    issuers.unregister_promotion_issuer()


def line(
    quantity: int, *, group: str = "Dog food", kind: str = "PURCHASE", price: str = "10"
) -> ReceiptLineActivity:
    return ReceiptLineActivity(
        type=kind,
        article_number="DF-1",
        sku="DF-1",
        article_group=group,
        brand="Woof",
        quantity=Decimal(quantity),
        total=Decimal(price) * quantity,
    )


async def post_receipt(database: Database, contact_id: str, *lines: ReceiptLineActivity) -> None:
    activity = ReceiptActivity(
        receipt_id=uuid.uuid4(),
        contact_id=uuid.UUID(contact_id),
        store_external_id="S1",
        occurred_at=clock.now(),
        total=sum((item.total for item in lines), Decimal(0)),
        lines=lines,
    )
    async with transaction(database) as session:
        await publish_receipt(session, activity)


async def test_three_two_and_four_bags_complete_one_card_and_start_the_next_at_four(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    promotion_issuer: Any,
) -> None:
    promotion_id = str(uuid.uuid4())
    card = await make_definition(
        client,
        admin,
        description="Buy 5 get one for free",
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        articleFilter={"groups": ["Dog food"]},
        isRecurring=True,
        rewards={"onCompletion": {"type": "promotion", "promotionId": promotion_id}},
    )
    contact = await make_contact(client, till)
    await post_receipt(database, contact, line(3), line(7, group="Cat food"))
    await post_receipt(database, contact, line(2))
    await post_receipt(database, contact, line(4), line(2, kind="RETURN", price="-10"))

    found = await challenges_of(client, till, contact, definitionId=card["id"])
    assert sorted((c["status"], c["completedCheckpoints"]) for c in found) == [(1, 4), (2, 5)]
    assert promotion_issuer == [(uuid.UUID(contact), uuid.UUID(promotion_id))]
    rewards = (await client.get(f"/api/v3/contacts/{contact}/rewards", headers=till)).json()
    assert [(r["reward"]["type"], r["threshold"], r["window"]) for r in rewards["items"]] == [
        ("promotion", "completion", "0")
    ]


async def test_a_return_takes_no_checkpoints_back(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    card = await make_definition(client, admin, checkpointAssignOn="ReceiptLineQuantity")
    contact = await make_contact(client, till)
    await post_receipt(database, contact, line(3))
    await post_receipt(database, contact, line(-3, kind="RETURN"))
    [challenge] = await challenges_of(client, till, contact, definitionId=card["id"])
    assert challenge["completedCheckpoints"] == 3


async def test_receipt_total_and_line_total_award_by_amount(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    by_total = await make_definition(
        client, admin, name="big", checkpointAssignOn=1, checkpointAssignOnAmount=50
    )
    by_line = await make_definition(
        client, admin, name="lines", checkpointAssignOn=3, checkpointAssignOnAmount=25
    )
    contact = await make_contact(client, till)
    await post_receipt(database, contact, line(3), line(1))  # lines of 30 and 10, total 40
    await post_receipt(database, contact, line(3), line(3))  # lines of 30 and 30, total 60
    counts = {c["challengeId"]: c["completedCheckpoints"] for c in await challenges_of(client, till, contact)}
    assert counts == {by_total["id"]: 1, by_line["id"]: 3}


async def test_a_promotion_reward_without_an_issuer_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "name": "Free bag",
        "requiredNumberOfCheckpoints": 5,
        "rewards": {"onCompletion": {"type": "promotion", "promotionId": str(uuid.uuid4())}},
    }
    response = await client.post("/api/v3/challenges/definitions", json=body, headers=admin)
    assert (response.status_code, response.json()["key"]) == (503, "PromotionRewardsUnavailable")
