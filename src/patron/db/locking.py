"""The one place contended writes take their locks.

PostgreSQL: row locks (SELECT ... FOR UPDATE), several rows always in primary-key order so
two transactions can never wait on each other. SQLite: the write transaction already holds
the database's write lock (BEGIN IMMEDIATE), which is checked rather than assumed.
Callers validate what they read here, after the lock, never before.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.engine import LOCK_WAIT_OPTION

Row = TypeVar("Row")
Other = TypeVar("Other")


class NotWriteLocked(RuntimeError):
    """A contended write was attempted outside a write-locked SQLite transaction."""


async def ensure_write_lock(session: AsyncSession) -> None:
    connection = await session.connection()
    if connection.dialect.name == "sqlite" and not connection.info.get("write_locked"):
        raise NotWriteLocked("SQLite writes that race must run in a BEGIN IMMEDIATE transaction")


async def limit_lock_wait(session: AsyncSession, seconds: float) -> None:
    """Bound how long this transaction waits for its locks.

    SQLite: the busy timeout of the BEGIN IMMEDIATE that opens the transaction, so it counts
    when called before the transaction's first statement; called later (a redemption inside a
    bulk import's transaction), the BEGIN has already waited for, and holds, the only lock
    there is. PostgreSQL: `lock_timeout` for the rest of the transaction. A wait that runs out
    raises a DBAPIError that `is_lock_timeout` recognises.
    """
    milliseconds = max(int(seconds * 1000), 1)
    if session.in_transaction():
        connection = await session.connection()
    else:
        connection = await session.connection(execution_options={LOCK_WAIT_OPTION: milliseconds})
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")


def is_lock_timeout(exc: DBAPIError) -> bool:
    """The lock (or SQLite's write lock) was not granted within the transaction's limit."""
    if getattr(exc.orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(exc.orig)


async def lock_rows(session: AsyncSession, model: type[Row], ids: Iterable[Any]) -> Sequence[Row]:
    """Lock the rows of `model` with these primary keys, in key order, and return them."""
    await ensure_write_lock(session)
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return []
    key = model.id  # type: ignore[attr-defined]
    # populate_existing: a row this session read before the lock is read again under it.
    stmt = (
        select(model)
        .where(key.in_(wanted))
        .order_by(key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    result = await session.execute(stmt)
    return result.scalars().all()


async def lock_row(session: AsyncSession, model: type[Row], row_id: Any) -> Row | None:
    rows = await lock_rows(session, model, [row_id])
    return rows[0] if rows else None


async def lock_row_with(
    session: AsyncSession, model: type[Row], row_id: Any, joined: type[Other]
) -> tuple[Row, Other] | None:
    """Lock one row of `model` and read, in the same statement, the `joined` row its foreign
    key points to (read, not locked): one round trip where two would do."""
    await ensure_write_lock(session)
    key = model.id  # type: ignore[attr-defined]
    stmt = (
        select(model, joined)
        .join_from(model, joined)
        .where(key == row_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    found = (await session.execute(stmt)).one_or_none()
    return None if found is None else (found[0], found[1])


# Transaction-scoped advisory locks on the 64-bit hashes of names, taken in hash order.
# The names are hashed by PostgreSQL, so names built in SQL (`lock_key_pairs`) and in Python
# (`lock_keys`) are the same locks.
# Counted, so a thousand locks come back as one row rather than a thousand empty ones (a
# volatile function's column is never optimised away, and the rows come in key order).
_LOCK_NAMES = text(
    "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT "
    "hashtextextended(name, 0) AS k FROM unnest(CAST(:names AS text[])) AS name ORDER BY k) AS ordered) AS locked"
)


def pair_locks(pairs: str) -> str:
    """PostgreSQL: a scalar subquery that takes `lock_key_pairs`' locks on the pairs of `pairs`,
    a FROM item of columns `first` and `second`, with the namespace bound as `:lock_namespace`.
    For a statement that has the pairs at hand (rows it has just written, say): the locks then
    cost no array of their own and no round trip."""
    return (
        "(SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT "
        "hashtextextended(CAST(:lock_namespace AS text) || ':' || CAST(first AS text) || ':' "
        f"|| CAST(second AS text), 0) AS k FROM {pairs} ORDER BY k) AS ordered) AS locked)"
    )


_LOCK_PAIRS = text(
    "SELECT " + pair_locks("unnest(CAST(:firsts AS uuid[]), CAST(:seconds AS uuid[])) AS pair(first, second)")
)


async def lock_keys(session: AsyncSession, namespace: str, keys: Iterable[str]) -> None:
    """Lock things by name (`namespace:key`) for the rest of the transaction, in one sorted round.

    For state spread over rows that come and go (a contact's current stamp card is replaced
    when it completes), row locks taken in several rounds could deadlock; a stable name per
    thing, locked once in key order, cannot. PostgreSQL: transaction-scoped advisory locks.
    SQLite: the transaction already holds the write lock.
    """
    await ensure_write_lock(session)
    if session.get_bind().dialect.name != "postgresql":
        return
    names = sorted({f"{namespace}:{key}" for key in keys})
    if names:
        await session.execute(_LOCK_NAMES, {"names": names})


async def lock_key_pairs(
    session: AsyncSession, namespace: str, pairs: Collection[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """`lock_keys` for keys that are pairs of ids, `first:second`, named by PostgreSQL: a
    thousand pairs cost the server a millisecond and spare formatting them here."""
    await ensure_write_lock(session)
    if session.get_bind().dialect.name != "postgresql" or not pairs:
        return
    await session.execute(
        _LOCK_PAIRS,
        {
            "lock_namespace": namespace,
            "firsts": [first for first, _ in pairs],
            "seconds": [second for _, second in pairs],
        },
    )
