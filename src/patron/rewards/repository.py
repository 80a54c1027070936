"""Every query for the reward log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import ensure_write_lock
from patron.db.upsert import insert_for
from patron.models import Coupon, Reward


async def insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the rows not issued before; the unique constraint makes a repeat a no-op."""
    if not rows:
        return set()
    stmt = insert_for(session, Reward).values(rows).on_conflict_do_nothing().returning(Reward.id)
    return set((await session.execute(stmt)).scalars().all())


async def record_outcome(session: AsyncSession, reward_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(update(Reward).where(Reward.id == reward_id).values(**values))


async def page_of(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> tuple[Sequence[Reward], int]:
    where = Reward.contact_id == contact_id
    total = (await session.execute(select(func.count()).select_from(Reward).where(where))).scalar_one()
    stmt = (
        select(Reward).where(where).order_by(Reward.issued_on.desc(), Reward.id).offset(offset).limit(count)
    )
    return (await session.execute(stmt)).scalars().all(), int(total)


async def insert_coupon(
    session: AsyncSession,
    code: str,
    contact_id: uuid.UUID,
    reward_id: uuid.UUID,
    issued_on: datetime,
    expires_on: datetime | None,
) -> bool:
    """Store the code unless it exists already; whether it was stored."""
    row = {
        "code": code,
        "contact_id": contact_id,
        "reward_id": reward_id,
        "issued_on": issued_on,
        "expires_on": expires_on,
    }
    stmt = insert_for(session, Coupon).values(row).on_conflict_do_nothing().returning(Coupon.code)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def coupons_of(session: AsyncSession, contact_id: uuid.UUID) -> Sequence[Coupon]:
    stmt = select(Coupon).where(Coupon.contact_id == contact_id).order_by(Coupon.issued_on, Coupon.code)
    return (await session.execute(stmt)).scalars().all()


async def coupons_by_code(session: AsyncSession, codes: Sequence[str]) -> Sequence[Coupon]:
    if not codes:
        return []
    return (await session.execute(select(Coupon).where(Coupon.code.in_(sorted(set(codes)))))).scalars().all()


async def lock_coupons(session: AsyncSession, codes: Sequence[str]) -> Sequence[Coupon]:
    """Lock the coupons in code order (so two redemptions never wait on each other) and read
    them again under the lock."""
    await ensure_write_lock(session)
    if not codes:
        return []
    stmt = (
        select(Coupon)
        .where(Coupon.code.in_(sorted(set(codes))))
        .order_by(Coupon.code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalars().all()
