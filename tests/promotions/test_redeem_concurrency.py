"""Exactly once: concurrent redeems, the lock taken before validation, and the 4.5 s limit."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from patron.db.engine import Database
from patron.kit import clock
from patron.models import PromotionAssignment
from patron.promotions.service import REDEEM_DEADLINE_SECONDS
from tests.factories import make_contact_id as make_contact
from tests.promotions.factories import make_assignment, make_promotion, redeem


async def _assignment(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> dict[str, Any]:
    contact = await make_contact(client, till)
    promotion = await make_promotion(client, admin)
    return await make_assignment(client, admin, contact, promotion["id"])


async def test_fifty_concurrent_redeems_make_one_redemption(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    assignment = await _assignment(client, admin, till)
    responses = await asyncio.gather(*(redeem(client, till, assignment["id"]) for _ in range(50)))
    outcomes = Counter((r.status_code, r.json().get("key")) for r in responses)
    assert outcomes == {(200, None): 1, (409, "PromotionAlreadyRedeemed"): 49}


async def _redeem_in_another_transaction(connection: AsyncConnection, assignment_id: str) -> None:
    """What a competing process does: lock the row and mark it redeemed, not yet committed."""
    stmt = (
        update(PromotionAssignment)
        .where(PromotionAssignment.id == uuid.UUID(assignment_id))
        .values(redeemed_on=clock.now(), redemption_channel="ECOM")
    )
    await connection.execute(stmt)


async def test_the_lock_is_taken_before_the_assignment_is_checked(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    assignment = await _assignment(client, admin, till)
    async with database.write_engine.connect() as competitor:
        await competitor.begin()
        await _redeem_in_another_transaction(competitor, assignment["id"])
        waiting = asyncio.create_task(redeem(client, till, assignment["id"]))
        await asyncio.sleep(0.7)
        assert not waiting.done()
        await competitor.commit()
    response = await waiting
    # Checked before locking, it would have read the last committed state ("not redeemed"),
    # passed, waited for the lock and then redeemed a second time with 200.
    assert (response.status_code, response.json()["key"]) == (409, "PromotionAlreadyRedeemed")


async def test_a_lock_not_granted_within_the_limit_is_504_and_redeems_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], database: Database
) -> None:
    assignment = await _assignment(client, admin, till)
    async with database.write_engine.connect() as competitor:
        await competitor.begin()
        await _redeem_in_another_transaction(competitor, assignment["id"])
        started = datetime.now()
        response = await redeem(client, till, assignment["id"])
        waited = (datetime.now() - started).total_seconds()
        await competitor.rollback()
    assert (response.status_code, response.json()["key"]) == (504, "GatewayTimeout")
    assert REDEEM_DEADLINE_SECONDS - 0.5 <= waited < REDEEM_DEADLINE_SECONDS + 2
    # The competitor rolled back and the timed-out request changed nothing: it is still redeemable.
    assert (await redeem(client, till, assignment["id"])).status_code == 200
