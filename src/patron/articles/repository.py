"""Every query for the article register."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Article

_REPLACED = ("sku", "name", "article_group", "category", "brand", "attributes", "modified_on")


async def by_number(session: AsyncSession, article_number: str) -> Article | None:
    stmt = select(Article).where(Article.article_number == article_number)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_numbers(session: AsyncSession, article_numbers: Iterable[str]) -> Sequence[Article]:
    wanted = sorted(set(article_numbers))
    if not wanted:
        return []
    stmt = select(Article).where(Article.article_number.in_(wanted))
    return (await session.execute(stmt)).scalars().all()


async def existing_numbers(session: AsyncSession, article_numbers: Iterable[str]) -> set[str]:
    wanted = sorted(set(article_numbers))
    if not wanted:
        return set()
    stmt = select(Article.article_number).where(Article.article_number.in_(wanted))
    return set((await session.execute(stmt)).scalars().all())


async def upsert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert or replace by article number in one atomic statement, so concurrent uploads never clash."""
    if not rows:
        return
    dialect = (await session.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Article).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Article.article_number],
        set_={column: getattr(stmt.excluded, column) for column in _REPLACED},
    )
    await session.execute(stmt)
