"""Receipt-driven checkpoints: the "dog food, buy 5 get one free" stamp card."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from patron.activity.bus import ReceiptActivity, ReceiptLineActivity
from patron.db.session import transaction
from patron.kit import clock
from patron.state import AppState
from tests.challenges.factories import challenges_of, make_definition
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_promotion
from tests.receipts.factories import line as receipt_line
from tests.receipts.factories import receipt


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


async def post_receipt(state: AppState, contact_id: str, *lines: ReceiptLineActivity) -> None:
    """A receipt's activity published on the application's bus, as a stored receipt is."""
    activity = ReceiptActivity(
        receipt_id=uuid.uuid4(),
        contact_id=uuid.UUID(contact_id),
        store_external_id="S1",
        occurred_at=clock.now(),
        total=sum((item.total for item in lines), Decimal(0)),
        lines=lines,
    )
    async with transaction(state.database) as session:
        await state.bus.publish_receipt(session, activity)


async def test_three_two_and_four_bags_complete_one_card_and_start_the_next_at_four(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    """Real receipts from a till, a real promotion as the free bag."""
    free_bag = await make_promotion(client, admin, name="Free bag of dog food")
    card = await make_definition(
        client,
        admin,
        description="Buy 5 get one for free",
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        articleFilter={"groups": ["Dog food"]},
        isRecurring=True,
        rewards={"onCompletion": {"type": "promotion", "promotionId": free_bag["id"]}},
    )
    await client.post("/api/v3/stores", json={"externalId": "S-1", "name": "Pet shop"}, headers=admin)
    articles = [
        {"articleNumber": "DF-1", "name": "Dog food 10 kg", "group": "Dog food", "brand": "Woof"},
        {"articleNumber": "CF-1", "name": "Cat food 2 kg", "group": "Cat food", "brand": "Meow"},
    ]
    assert (await client.post("/api/v3/articles", json=articles, headers=till)).status_code == 200
    contact = await make_contact(client, till)

    async def bags(*lines: dict[str, object]) -> None:
        body = receipt(contact, "S-1", items=list(lines))
        stored = await client.post("/api/v3/receipts", json=body, headers=till)
        assert stored.status_code == 201, stored.text

    dog, cat = (
        {"articleNumber": "DF-1", "articleGroup": None},
        {"articleNumber": "CF-1", "articleGroup": None},
    )
    await bags(receipt_line(**dog, quantity=3), receipt_line(**cat, quantity=7))
    await bags(receipt_line(**dog, quantity=2))
    third = receipt(contact, "S-1", items=[receipt_line(**dog, quantity=4)])
    assert (await client.post("/api/v3/receipts", json=third, headers=till)).status_code == 201
    # The till retries the last receipt: it is the same sale, so it adds no stamps.
    assert (await client.post("/api/v3/receipts", json=third, headers=till)).status_code == 200

    found = await challenges_of(client, till, contact, definitionId=card["id"])
    assert sorted((c["status"], c["completedCheckpoints"]) for c in found) == [(1, 4), (2, 5)]
    offers = (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json()
    assert [(offer["promotionId"], offer["redeemed"]) for offer in offers] == [(free_bag["id"], False)]
    rewards = (await client.get(f"/api/v3/contacts/{contact}/rewards", headers=till)).json()
    assert [(r["reward"]["type"], r["threshold"], r["window"]) for r in rewards["items"]] == [
        ("promotion", "completion", "0")
    ]
    assert rewards["items"][0]["promotionAssignmentId"] == offers[0]["id"]


async def test_a_second_completed_card_pays_a_second_free_bag(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    free_bag = await make_promotion(client, admin)
    await make_definition(
        client,
        admin,
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        isRecurring=True,
        rewards={"onCompletion": {"type": "promotion", "promotionId": free_bag["id"]}},
    )
    contact = await make_contact(client, till)
    await post_receipt(state, contact, line(10))
    offers = (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json()
    assert len(offers) == 2
    assert len({offer["id"] for offer in offers}) == 2


async def test_an_ended_promotion_leaves_the_reward_on_record_and_the_receipt_stored(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    free_bag = await make_promotion(client, admin)
    await make_definition(
        client,
        admin,
        checkpointAssignOn=2,
        checkpointAssignOnAmount=1,
        rewards={"onCompletion": {"type": "promotion", "promotionId": free_bag["id"]}},
    )
    ended = await client.post(f"/api/v3/promotions/multichannels/{free_bag['id']}/deactivate", headers=admin)
    assert ended.status_code == 200
    contact = await make_contact(client, till)
    await post_receipt(state, contact, line(5))
    rewards = (await client.get(f"/api/v3/contacts/{contact}/rewards", headers=till)).json()
    assert len(rewards["items"]) == 1
    assert rewards["items"][0]["promotionAssignmentId"] is None
    assert (await client.get(f"/api/v3/contacts/{contact}/promotions", headers=till)).json() == []


async def test_a_return_takes_no_checkpoints_back(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    card = await make_definition(client, admin, checkpointAssignOn="ReceiptLineQuantity")
    contact = await make_contact(client, till)
    await post_receipt(state, contact, line(3))
    await post_receipt(state, contact, line(-3, kind="RETURN"))
    [challenge] = await challenges_of(client, till, contact, definitionId=card["id"])
    assert challenge["completedCheckpoints"] == 3


async def test_receipt_total_and_line_total_award_by_amount(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    by_total = await make_definition(
        client, admin, name="big", checkpointAssignOn=1, checkpointAssignOnAmount=50
    )
    by_line = await make_definition(
        client, admin, name="lines", checkpointAssignOn=3, checkpointAssignOnAmount=25
    )
    contact = await make_contact(client, till)
    await post_receipt(state, contact, line(3), line(1))  # lines of 30 and 10, total 40
    await post_receipt(state, contact, line(3), line(3))  # lines of 30 and 30, total 60
    counts = {c["challengeId"]: c["completedCheckpoints"] for c in await challenges_of(client, till, contact)}
    assert counts == {by_total["id"]: 1, by_line["id"]: 3}


async def test_a_reward_naming_an_unknown_promotion_is_refused(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    body = {
        "name": "Free bag",
        "requiredNumberOfCheckpoints": 5,
        "rewards": {"onCompletion": {"type": "promotion", "promotionId": str(uuid.uuid4())}},
    }
    response = await client.post("/api/v3/challenges/definitions", json=body, headers=admin)
    assert (response.status_code, response.json()["key"]) == (404, "PromotionNotFound")
