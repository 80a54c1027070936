"""A receipt's usedPromotions: linked to the contact's assignments, unredeemed ones redeemed."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.models import PromotionAssignmentReceipt
from patron.promotions import service as promotions
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem


async def _outcomes(database: Database, receipt_id: uuid.UUID) -> dict[str, str | None]:
    async with transaction(database, write=False) as session:
        rows = await session.execute(
            select(PromotionAssignmentReceipt.assignment_id, PromotionAssignmentReceipt.outcome).where(
                PromotionAssignmentReceipt.receipt_id == receipt_id
            )
        )
        return {str(assignment_id): outcome for assignment_id, outcome in rows}


async def test_a_receipt_redeems_by_the_redeem_endpoints_rules_and_records_each_outcome(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    contact, stranger = await make_contact(client, till), await make_contact(client, till)
    online = [{"type": "ECOM", "valueType": "PERCENT", "value": 20, "instruction": None}]
    fresh = await make_assignment(
        client, admin, contact, (await make_promotion(client, admin, redemptionChannels=online))["id"]
    )
    used = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])
    assert (await redeem(client, till, used["id"])).status_code == 200
    # Offered at the till only: an online receipt may not redeem it.
    till_only = await make_assignment(client, admin, contact, (await make_promotion(client, admin))["id"])
    ended = await make_promotion(client, admin, redemptionChannels=online)
    stopped = await make_assignment(client, admin, contact, ended["id"])
    deactivated = await client.post(
        f"/api/v3/promotions/multichannels/{ended['id']}/deactivate", headers=admin
    )
    assert deactivated.status_code == 200, deactivated.text
    theirs = await make_assignment(client, admin, stranger, (await make_promotion(client, admin))["id"])
    receipt_id = uuid.uuid4()
    named = [fresh, used, till_only, stopped, theirs]
    ids = [uuid.UUID(a["id"]) for a in named] + [uuid.uuid4()]

    for _ in range(2):  # a repeated call changes nothing
        async with transaction(database) as session:
            await promotions.redeem_for_receipt(
                session,
                contact_id=uuid.UUID(contact),
                receipt_id=receipt_id,
                assignment_ids=ids,
                channel="ECOM",
            )

    assert await _outcomes(database, receipt_id) == {
        fresh["id"]: "Redeemed",
        used["id"]: "PromotionAlreadyRedeemed",
        till_only["id"]: "PromotionNotValidForRedemptionChannel",
        stopped["id"]: "PromotionExpired",
    }
    again = await redeem(client, till, fresh["id"], channel="ECOM")
    assert (again.status_code, again.json()["key"]) == (409, "PromotionAlreadyRedeemed")
    # What the receipt refused is still refused, and still usable where the rules allow it.
    assert (await redeem(client, till, stopped["id"], channel="ECOM")).json()["key"] == "PromotionExpired"
    assert (await redeem(client, till, till_only["id"])).status_code == 200
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
