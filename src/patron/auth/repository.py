"""Queries for API keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import ApiKey


async def get(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def list_all(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.execute(select(ApiKey).order_by(ApiKey.created_on))).scalars().all()


async def count(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(ApiKey))).scalar_one())


def add(session: AsyncSession, key: ApiKey) -> None:
    session.add(key)
