"""Queries for the sealing key a deployment generates for itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.kit import clock
from patron.models import SealingKey

GENERATED = "generated"


async def generated_key(session: AsyncSession, name: str = GENERATED) -> str | None:
    stmt = select(SealingKey.key).where(SealingKey.id == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def keep_generated_key(session: AsyncSession, candidate: str, name: str = GENERATED) -> str:
    """Store `candidate` unless a key was generated already; the key kept either way. Two
    processes generating at once keep one: the later insert waits for the earlier and does
    nothing."""
    insert = insert_for(session, SealingKey).values(id=name, key=candidate, created_on=clock.now())
    await session.execute(insert.on_conflict_do_nothing())
    kept = await generated_key(session, name)
    if kept is None:  # pragma: no cover - the row was just written or found
        raise RuntimeError("the generated sealing key is neither stored nor found")
    return kept
