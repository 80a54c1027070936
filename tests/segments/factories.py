"""A small programme for segment tests: contacts with attributes, consents, purchases, points,
a completed challenge and offers held or redeemed, made through the API at a fixed instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.kit import clock
from patron.models import Contact
from patron.segments import repository
from patron.segments.grammar import read_rule
from tests.challenges.factories import make_definition
from tests.earning.factories import make_articles
from tests.factories import make_contact_id
from tests.promotions.factories import make_assignment, make_promotion, redeem
from tests.receipts.factories import line, make_store, receipt

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CUSTOM = frozenset({"favouriteStore", "shoeSize"})


@dataclass(frozen=True)
class Shop:
    ann: str  # Malmö member, dog food 30 days ago, e-mails and newsletter welcome
    bob: str  # Lund, shoes 200 days ago (lapsed), 1500 points, newsletter declined
    cid: str  # Malmö member, never bought, completed the stamp card, holds the offer
    dan: str  # dog food 100 days ago, three cat toy receipts this month, redeemed the offer
    points: int
    challenge: str
    promotion: str


async def _buy(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, days_ago: int, *items: dict[str, Any]
) -> None:
    total = sum(item["grossPaidPrice"] for item in items)
    body = receipt(
        contact,
        createdDate=(NOW - timedelta(days=days_ago)).isoformat(),
        totalGrossPrice=total,
        items=list(items),
    )
    made = await client.post("/api/v3/receipts", json=body, headers=till)
    assert made.status_code == 201, made.text


async def make_shop(client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]) -> Shop:
    await make_store(client, admin)
    await make_articles(
        client,
        admin,
        [
            {"articleNumber": "DOG-1", "name": "Dog food", "group": "Dog food", "brand": "Rex"},
            {"articleNumber": "TOY-1", "name": "Cat toy", "group": "Toys", "brand": "Purr"},
        ],
    )
    ann = await make_contact_id(
        client,
        till,
        city="Malmö",
        contactType="Member",
        shoeSize=42,
        preferences={"acceptsEmail": True},
        consents=[{"id": "newsletter", "value": True}],
    )
    bob = await make_contact_id(
        client, till, city="Lund", shoeSize="large", consents=[{"id": "newsletter", "value": False}]
    )
    cid = await make_contact_id(client, till, city="Malmö", contactType="Member", birthDay="1990-05-17")
    dan = await make_contact_id(client, till, firstName="Dan", city="Ystad")
    await _buy(client, till, ann, 30, line(articleNumber="DOG-1", articleGroup=None, grossPaidPrice=250.0))
    await _buy(client, till, bob, 200, line(articleNumber="SHOE-1", grossPaidPrice=900.0))
    await _buy(client, till, dan, 100, line(articleNumber="DOG-1", articleGroup=None, grossPaidPrice=80.0))
    for days in (3, 5, 9):
        await _buy(
            client, till, dan, days, line(articleNumber="TOY-1", articleGroup=None, grossPaidPrice=40.0)
        )
    made = await client.post("/api/v3/point-accounts/definitions", json={"name": "Club"}, headers=admin)
    points = int(made.json()["id"])
    credited = await client.post(
        "/api/v3/point-accounts/transactions",
        json=[{"contactId": bob, "definitionId": points, "amount": 1500}],
        headers=till,
    )
    assert credited.json()["notAccepted"] == []
    card = await make_definition(client, admin, name="One stamp", requiredNumberOfCheckpoints=1)
    stamped = await client.post(
        "/api/v3/challenges/checkpoints",
        json=[{"definitionId": card["id"], "contactId": cid, "checkpointAmount": 1}],
        headers=till,
    )
    assert stamped.status_code == 200, stamped.text
    offer = await make_promotion(client, admin)
    await make_assignment(client, admin, cid, offer["id"])
    held = await make_assignment(client, admin, dan, offer["id"])
    assert (await redeem(client, till, held["id"])).status_code == 200
    return Shop(ann, bob, cid, dan, points, str(card["id"]), str(offer["id"]))


async def members_of(database: Database, raw: dict[str, Any]) -> set[str]:
    """The live contacts the rule holds for now, by the compiled SQL."""
    rule = read_rule(raw, CUSTOM)
    async with transaction(database, write=False) as session:
        stmt = repository.compiler(session, clock.now(), UTC).members(rule)
        return {str(found) for found in (await session.execute(stmt)).scalars()}


async def everyone(database: Database) -> set[str]:
    async with transaction(database, write=False) as session:
        return {str(found) for found in (await session.execute(select(Contact.id))).scalars()}
