"""Every query for promotions, their assignments and the receipts that used them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.types import UTCDateTime
from patron.models import AssignmentJob, Promotion, PromotionAssignment, PromotionAssignmentReceipt

ACTIVE = "Active"


async def promotion(session: AsyncSession, promotion_id: uuid.UUID) -> Promotion | None:
    return await session.get(Promotion, promotion_id)


async def promotion_by_external_id(session: AsyncSession, external_id: str) -> Promotion | None:
    stmt = select(Promotion).where(Promotion.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def external_id_taken(session: AsyncSession, external_id: str, excluding: uuid.UUID | None) -> bool:
    stmt = select(Promotion.id).where(Promotion.external_id == external_id)
    if excluding is not None:
        stmt = stmt.where(Promotion.id != excluding)
    return (await session.execute(stmt.limit(1))).first() is not None


def add(session: AsyncSession, row: Promotion | PromotionAssignment | PromotionAssignmentReceipt) -> None:
    session.add(row)


async def delete_promotion(session: AsyncSession, promotion_id: uuid.UUID) -> None:
    await session.execute(delete(Promotion).where(Promotion.id == promotion_id))


async def has_assignments(session: AsyncSession, promotion_id: uuid.UUID) -> bool:
    """Whether the promotion was ever given out: to a contact, or to a segment by an assignment
    job (whose record stays as the job's history, even when the segment was empty)."""
    assigned = exists().where(PromotionAssignment.promotion_id == promotion_id)
    to_a_segment = exists().where(AssignmentJob.promotion_id == promotion_id)
    return bool((await session.execute(select(or_(assigned, to_a_segment)))).scalar())


async def withdraw_unredeemed(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """Delete the contact's assignments not redeemed, with the receipts' records of having named
    them (a redeemed one is its receipt's history, and stays)."""
    unredeemed = select(PromotionAssignment.id).where(
        PromotionAssignment.contact_id == contact_id, PromotionAssignment.redeemed_on.is_(None)
    )
    await session.execute(
        delete(PromotionAssignmentReceipt).where(PromotionAssignmentReceipt.assignment_id.in_(unredeemed))
    )
    await session.execute(delete(PromotionAssignment).where(PromotionAssignment.id.in_(unredeemed)))


async def unredeemed_assignment(
    session: AsyncSession, contact_id: uuid.UUID, promotion_id: uuid.UUID, now: datetime
) -> PromotionAssignment | None:
    """The contact's assignment of this promotion that is neither redeemed nor expired."""
    stmt = (
        select(PromotionAssignment)
        .where(
            PromotionAssignment.contact_id == contact_id,
            PromotionAssignment.promotion_id == promotion_id,
            PromotionAssignment.redeemed_on.is_(None),
            or_(PromotionAssignment.expires_on.is_(None), PromotionAssignment.expires_on >= now),
        )
        .order_by(PromotionAssignment.assigned_on)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


# One row of the till's list: an assignment's columns and its promotion's (see _VISIBLE_OFFERS).
Offer = Row[*tuple[Any, ...]]

_assignments = PromotionAssignment.__table__.c
_promotions = Promotion.__table__.c
_now = bindparam("now", type_=UTCDateTime())
# The till's hot read, built once: a Core statement on the tables (no ORM entities to load)
# whose compiled form and cache key are reused by every request.
_VISIBLE_OFFERS = (
    select(
        _assignments.id.label("assignment_id"),
        _assignments.expires_on,
        _assignments.redeemed_on,
        _promotions.id.label("promotion_id"),
        _promotions.external_id,
        _promotions.name,
        _promotions.heading,
        _promotions.description,
        _promotions.image_url,
        _promotions.link,
        _promotions.redemption_channels,
    )
    .join_from(
        PromotionAssignment.__table__,
        Promotion.__table__,
        _promotions.id == _assignments.promotion_id,
    )
    .where(
        _assignments.contact_id == bindparam("contact_id", type_=_assignments.contact_id.type),
        or_(_assignments.expires_on.is_(None), _assignments.expires_on >= _now),
        _promotions.state == ACTIVE,
        _promotions.starts_at <= _now,
        or_(_promotions.ends_at.is_(None), _promotions.ends_at >= _now),
    )
    .order_by(_assignments.assigned_on, _assignments.id)
)


async def visible_offers(session: AsyncSession, contact_id: uuid.UUID, now: datetime) -> Sequence[Offer]:
    """The contact's assignments a till may show, with their promotion's columns: unexpired,
    of an activated promotion that has started and not ended. Redeemed ones stay in (as Engage
    does)."""
    result = await session.execute(_VISIBLE_OFFERS, {"contact_id": contact_id, "now": now})
    return result.all()


async def receipt_link_exists(session: AsyncSession, assignment_id: uuid.UUID, receipt_id: uuid.UUID) -> bool:
    stmt = select(
        exists().where(
            PromotionAssignmentReceipt.assignment_id == assignment_id,
            PromotionAssignmentReceipt.receipt_id == receipt_id,
        )
    )
    return bool((await session.execute(stmt)).scalar())


async def receipts_of(session: AsyncSession, assignment_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(PromotionAssignmentReceipt.receipt_id).where(
        PromotionAssignmentReceipt.assignment_id == assignment_id
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_assignments(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Many assignments in one statement (a segment's members)."""
    if rows:
        await session.execute(insert(PromotionAssignment).values(rows))
