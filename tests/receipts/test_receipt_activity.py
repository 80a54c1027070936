"""The activity subscription point: each stored receipt is published once, in its transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity
from patron.db.engine import Database
from patron.state import AppState
from tests.factories import make_contact_id as make_contact
from tests.receipts.factories import line, make_store, receipt, stored_counts
from tests.stored_rows import stored_rows


class Heard:
    """A subscriber that remembers what it was told, and may refuse it."""

    def __init__(self) -> None:
        self.activities: list[ReceiptActivity] = []
        self.refuse = False

    async def __call__(self, session: AsyncSession, activity: ReceiptActivity) -> None:
        if self.refuse:
            raise RuntimeError("the subscriber failed")
        self.activities.append(activity)


@pytest.fixture
def heard(state: AppState) -> Heard:
    """Subscribed to this test's application (built for this test alone)."""
    subscriber = Heard()
    state.bus.subscribe_receipts(subscriber)
    return subscriber


async def test_a_stored_receipt_is_published_once_with_the_tills_lines(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], heard: Heard
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    articles = [{"articleNumber": "A-1", "name": "Trail shoe", "group": "Footwear", "brand": "Fjell"}]
    assert (await client.post("/api/v3/articles", json=articles, headers=till)).status_code == 200
    body = receipt(
        contact,
        store,
        totalGrossPrice=130,
        items=[
            line(articleNumber="A-1", articleGroup="Shoes", quantity=2, grossPaidPrice=100),
            line(articleNumber="UNKNOWN", articleGroup="Socks", grossPaidPrice=30),
        ],
    )
    created = await client.post("/api/v3/receipts", json=body, headers=till)
    assert created.status_code == 201
    assert len(heard.activities) == 1
    activity = heard.activities[0]
    assert activity.receipt_id == uuid.UUID(created.json()["id"])
    assert activity.contact_id == uuid.UUID(contact)
    assert activity.store_external_id == store
    assert activity.total == Decimal("130")
    registered, unknown = activity.lines
    # The activity is what the till sent; the register is read by the subscribers that filter on
    # groups or brands (tests/challenges/test_receipt_rules.py).
    assert (registered.article_group, registered.brand, registered.quantity) == ("Shoes", None, Decimal(2))
    assert (unknown.article_group, unknown.brand, unknown.total) == ("Socks", None, Decimal(30))


async def test_each_of_many_receipts_is_heard_exactly_once(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], heard: Heard
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    ids = []
    for _ in range(5):
        ids.append(
            (await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)).json()["id"]
        )
    assert sorted(str(activity.receipt_id) for activity in heard.activities) == sorted(ids)


async def test_rejected_and_replayed_receipts_are_not_heard(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], heard: Heard
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    body = receipt(contact, store)
    assert (await client.post("/api/v3/receipts", json=body, headers=till)).status_code == 201
    assert (await client.post("/api/v3/receipts", json=body, headers=till)).status_code == 200
    changed = {**body, "receiptNumber": "changed"}
    assert (await client.post("/api/v3/receipts", json=changed, headers=till)).status_code == 409
    unknown_store = receipt(contact, "NOWHERE")
    assert (await client.post("/api/v3/receipts", json=unknown_store, headers=till)).status_code == 404
    nobody = receipt(contact, store, contact={"matchKey": "nobody@example.com", "matchKeyType": "Email"})
    assert (await client.post("/api/v3/receipts", json=nobody, headers=till)).status_code == 404
    malformed = receipt(contact, store, items=[])
    assert (await client.post("/api/v3/receipts", json=malformed, headers=till)).status_code == 400
    assert len(heard.activities) == 1


async def test_a_failing_subscriber_takes_the_receipt_down_with_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database, heard: Heard
) -> None:
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    heard.refuse = True
    before = await stored_rows(database)
    response = await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
    assert response.status_code == 500
    assert await stored_rows(database) == before  # in every table


async def test_a_subscriber_not_listening_is_not_told_and_the_receipt_is_stored(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    state: AppState,
) -> None:
    listening = True

    async def interested(session: AsyncSession) -> bool:
        return listening

    subscriber = Heard()
    state.bus.subscribe_receipts(subscriber, interested)
    store = await make_store(client, admin)
    contact = await make_contact(client, till)
    listening = False
    assert (
        await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)
    ).status_code == 201
    assert subscriber.activities == []
    listening = True
    heard_id = (await client.post("/api/v3/receipts", json=receipt(contact, store), headers=till)).json()[
        "id"
    ]
    assert [str(activity.receipt_id) for activity in subscriber.activities] == [heard_id]
    assert await stored_counts(database) == (2, 2, 2)
