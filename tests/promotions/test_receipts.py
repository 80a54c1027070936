"""A receipt's usedPromotions: linked to the contact's assignments, unredeemed ones redeemed."""

from __future__ import annotations

import uuid

import httpx

from patron.db.engine import Database
from patron.db.session import transaction
from patron.promotions import service as promotions
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem


async def test_a_receipt_links_and_redeems_the_contacts_assignments(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    contact, stranger = await make_contact(client, till), await make_contact(client, till)
    fresh = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])
    used = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])
    assert (await redeem(client, till, used["id"])).status_code == 200
    theirs = await make_assignment(client, admin, stranger, (await make_promotion(client, admin))["id"])
    receipt_id = uuid.uuid4()
    ids = [uuid.UUID(a["id"]) for a in (fresh, used, theirs)] + [uuid.uuid4()]

    for _ in range(2):  # a repeated call changes nothing
        async with transaction(database) as session:
            await promotions.redeem_for_receipt(
                session,
                contact_id=uuid.UUID(contact),
                receipt_id=receipt_id,
                assignment_ids=ids,
                channel="ECOM",
            )

    async with transaction(database) as session:
        for assignment in (fresh, used):
            assert await promotions.receipts_of(session, uuid.UUID(assignment["id"])) == [receipt_id]
        assert await promotions.receipts_of(session, uuid.UUID(theirs["id"])) == []

    again = await redeem(client, till, fresh["id"])
    assert (again.status_code, again.json()["key"]) == (409, "PromotionAlreadyRedeemed")
    # Another contact's assignment named on the receipt is left alone.
    assert (await redeem(client, till, theirs["id"])).status_code == 200


async def test_the_service_assign_returns_the_held_assignment(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    contact = uuid.UUID(await make_contact(client, till))
    promotion = uuid.UUID((await make_promotion(client, admin))["id"])
    async with transaction(database) as session:
        first = await promotions.assign(session, contact, promotion)
    async with transaction(database) as session:
        second = await promotions.assign(session, contact, promotion)
    assert first.id == second.id
