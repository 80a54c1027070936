"""The one place contended writes take their locks.

PostgreSQL: row locks (SELECT ... FOR UPDATE), several rows always in primary-key order so
two transactions can never wait on each other. SQLite: the write transaction already holds
the database's write lock (BEGIN IMMEDIATE), which is checked rather than assumed.
Callers validate what they read here, after the lock, never before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


class NotWriteLocked(RuntimeError):
    """A contended write was attempted outside a write-locked SQLite transaction."""


async def ensure_write_lock(session: AsyncSession) -> None:
    connection = await session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get("write_locked"):
        raise NotWriteLocked("SQLite writes that race must run in a BEGIN IMMEDIATE transaction")


async def lock_rows(session: AsyncSession, model: type[Row], ids: Iterable[Any]) -> Sequence[Row]:
    """Lock the rows of `model` with these primary keys, in key order, and return them."""
    await ensure_write_lock(session)
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return []
    key = model.id  # type: ignore[attr-defined]
    stmt = select(model).where(key.in_(wanted)).order_by(key).with_for_update()
    result = await session.execute(stmt)
    return result.scalars().all()


async def lock_row(session: AsyncSession, model: type[Row], row_id: Any) -> Row | None:
    rows = await lock_rows(session, model, [row_id])
    return rows[0] if rows else None
