"""Named locks: a pair locked by its ids is the same lock as its name locked as text."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text

from patron.db.engine import Database
from patron.db.locking import lock_key_pairs, lock_keys
from patron.db.session import transaction


async def _held_elsewhere(database: Database, name: str) -> bool:
    """Whether another transaction holds the named lock (tried without waiting)."""
    async with database.write_engine.connect() as connection:
        free = await connection.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )
        await connection.rollback()
    return not free


async def test_a_pair_of_ids_is_locked_under_its_name(database: Database, backend: str) -> None:
    contact, definition = uuid.uuid4(), uuid.uuid4()
    name = f"challenge:{contact}:{definition}"
    if backend == "postgresql":  # SQLite has one write lock for the whole database
        async with transaction(database) as session:
            await lock_key_pairs(session, "challenge", [(contact, definition)])
            assert await _held_elsewhere(database, name)
            assert not await _held_elsewhere(database, f"challenge:{definition}:{contact}")
        assert not await _held_elsewhere(database, name)

    entered = asyncio.Event()

    async def by_pair() -> None:
        async with transaction(database) as session:
            await lock_key_pairs(session, "challenge", [(contact, definition)])
            entered.set()

    async with transaction(database) as session:
        await lock_keys(session, "challenge", [f"{contact}:{definition}"])
        waiting = asyncio.create_task(by_pair())
        await asyncio.sleep(0.3)
        assert not entered.is_set(), "the pair's lock was taken while its name was held"
    await asyncio.wait_for(waiting, 5)
    assert entered.is_set()
