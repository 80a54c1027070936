"""One session per request or job, committed at the boundary; services only flush."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.engine import Database


class UnitOfWork:
    """Opens its session on first use, so requests that never touch the database cost nothing."""

    def __init__(self, database: Database, *, write: bool) -> None:
        self._database = database
        self._write = write
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            factory = self._database.write_sessions if self._write else self._database.read_sessions
            self._session = factory()
        return self._session

    @property
    def opened(self) -> bool:
        return self._session is not None

    async def commit(self) -> None:
        if self._session is not None:
            await self._session.commit()

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@asynccontextmanager
async def transaction(database: Database, *, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A job's boundary: commit when the block succeeds, roll back when it raises."""
    unit = UnitOfWork(database, write=write)
    try:
        yield unit.session
        await unit.commit()
    except BaseException:
        await unit.rollback()
        raise
    finally:
        await unit.close()
