"""Every query for promotions, their assignments and the receipts that used them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Promotion, PromotionAssignment, PromotionAssignmentReceipt

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
    stmt = select(exists().where(PromotionAssignment.promotion_id == promotion_id))
    return bool((await session.execute(stmt)).scalar())


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


async def visible_assignments(
    session: AsyncSession, contact_id: uuid.UUID, now: datetime
) -> Sequence[tuple[PromotionAssignment, Promotion]]:
    """The contact's assignments a till may show: unexpired, of an activated promotion that
    has started and not ended. Redeemed ones stay in (as Engage does)."""
    stmt = (
        select(PromotionAssignment, Promotion)
        .join(Promotion, Promotion.id == PromotionAssignment.promotion_id)
        .where(
            PromotionAssignment.contact_id == contact_id,
            or_(PromotionAssignment.expires_on.is_(None), PromotionAssignment.expires_on >= now),
            Promotion.state == ACTIVE,
            Promotion.starts_at <= now,
            or_(Promotion.ends_at.is_(None), Promotion.ends_at >= now),
        )
        .order_by(PromotionAssignment.assigned_on, PromotionAssignment.id)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


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
