"""One session per request or job, committed at the boundary; services only flush."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.engine import Database

# Marks a session whose owner commits nothing else with it: a use case whose whole write is
# one statement may then let that statement commit by itself (see `commit_alone`).
_SOLE_WRITER = "patron.sole_writer"
# Set once a statement committed by itself: the connection is in autocommit, so a commit has
# nothing left to send.
_COMMITTED_ALONE = "patron.committed_alone"


class UnitOfWork:
    """Opens its session on first use, so requests that never touch the database cost nothing.

    `shared`: the boundary writes into the same transaction after the route (an
    Idempotency-Key's answer), so no statement may commit by itself.
    """

    def __init__(self, database: Database, *, write: bool, shared: bool = False) -> None:
        self._database = database
        self._write = write
        self._shared = shared
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            factory = self._database.write_sessions if self._write else self._database.read_sessions
            self._session = factory()
            if self._write and not self._shared and not self._database.is_sqlite:
                self._session.info[_SOLE_WRITER] = True
        return self._session

    async def commit(self) -> None:
        session = self._session
        if session is None:
            return
        if session.info.get(_COMMITTED_ALONE) and not (session.new or session.dirty or session.deleted):
            return  # the statements committed as they ran; nothing is pending
        await session.commit()

    async def rollback(self) -> None:
        if self._session is not None:
            await self._session.rollback()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def commit_alone(session: AsyncSession) -> bool:
    """Let the session's next statement commit by itself, without BEGIN and COMMIT.

    For a use case whose whole write is that one statement, which PostgreSQL applies
    atomically on its own: two round trips fewer. Only where the session's owner said it adds
    nothing to the transaction (a request without an Idempotency-Key) and nothing has begun
    one yet; otherwise the statement joins the transaction as usual. True when it commits alone.
    """
    if not session.info.get(_SOLE_WRITER) or session.in_transaction():
        return False
    # The pool puts the connection back in its usual isolation level when it is returned.
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    session.info[_COMMITTED_ALONE] = True
    return True


# What asyncpg raises for a statement that failed or a connection that went away.
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


async def fetch_first_idempotent(
    session: AsyncSession, sql: str, parameters: Sequence[Any], *, whole_write: bool
) -> Mapping[str, Any] | None:
    """Run one statement, perhaps twice, and return its first row: only for a statement that
    may run twice, one whose second run over a first that took effect changes nothing more
    and answers in a way its caller reads as the same outcome. `whole_write`: the statement
    is all its caller writes.

    Such a statement, where the session lets it commit by itself (`commit_alone`), goes to the
    driver directly: no BEGIN, no COMMIT, none of SQLAlchemy's execution layer. One that fails
    that way is run once more through SQLAlchemy, whose account of the error (a refused value,
    a lost connection) then applies as for any other statement. Mostly the first run was its
    own transaction and changed nothing; but a connection lost after the server committed
    it fails the same way, and a deadlock or serialization failure may pass the second time,
    so the statement must be safe to run again. Otherwise it runs once, in the session's
    transaction. PostgreSQL; `sql` in the driver's own parameter style ($1, $2, ...).
    """
    alone = whole_write and await commit_alone(session)
    connection = await session.connection()
    if alone:
        driver: Any = (await connection.get_raw_connection()).driver_connection
        # A failure is run again below (the statement is idempotent), for SQLAlchemy's
        # handling of the error.
        with contextlib.suppress(*_DRIVER_ERRORS):
            row: Mapping[str, Any] | None = await driver.fetchrow(sql, *parameters)
            return row
    found = (await connection.exec_driver_sql(sql, tuple(parameters))).first()
    return None if found is None else dict(found._mapping)


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
