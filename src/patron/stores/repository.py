"""Every query for stores."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Store


async def by_external_id(session: AsyncSession, external_id: str) -> Store | None:
    stmt = select(Store).where(Store.external_id == external_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[Store], int]:
    total = (await session.execute(select(func.count()).select_from(Store))).scalar_one()
    stmt = select(Store).order_by(Store.external_id).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


def add(session: AsyncSession, store: Store) -> None:
    session.add(store)
