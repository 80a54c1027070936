"""Queries for stored idempotent responses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import IdempotencyRecord


async def insert_if_absent(
    session: AsyncSession, *, caller: str, key: str, request_hash: str, lease: str, now: datetime
) -> bool:
    """Insert the record unless (caller, key) exists; True when this call inserted it."""
    values = {"caller": caller, "key": key, "request_hash": request_hash, "lease": lease, "locked_on": now}
    stmt = insert_for(session, IdempotencyRecord).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def find(session: AsyncSession, caller: str, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(IdempotencyRecord.caller == caller, IdempotencyRecord.key == key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def take_over(
    session: AsyncSession, *, record_id: int, old_lease: str, lease: str, request_hash: str, now: datetime
) -> bool:
    """Move a dead or expired record to a new lease; False when another request won it."""
    stmt = (
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id, IdempotencyRecord.lease == old_lease)
        .values(
            lease=lease,
            locked_on=now,
            request_hash=request_hash,
            status_code=None,
            response_headers=None,
            response_body=None,
            completed_on=None,
        )
    )
    return bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def complete(
    session: AsyncSession,
    *,
    caller: str,
    key: str,
    lease: str,
    status_code: int,
    headers: list[list[str]],
    body: bytes,
    now: datetime,
) -> None:
    stmt = (
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.caller == caller, IdempotencyRecord.key == key, IdempotencyRecord.lease == lease
        )
        .values(status_code=status_code, response_headers=headers, response_body=body, completed_on=now)
    )
    await session.execute(stmt)


async def release(session: AsyncSession, *, caller: str, key: str, lease: str) -> None:
    stmt = delete(IdempotencyRecord).where(
        IdempotencyRecord.caller == caller,
        IdempotencyRecord.key == key,
        IdempotencyRecord.lease == lease,
        IdempotencyRecord.completed_on.is_(None),
    )
    await session.execute(stmt)


async def replace_answers_naming(
    session: AsyncSession, text: str, *, status_code: int, headers: list[list[str]], body: bytes
) -> int:
    """Put another answer in place of every stored one whose body contains `text`."""
    stored = IdempotencyRecord.response_body
    # SQLite's LIKE does not look into a BLOB; instr does.
    sqlite = session.get_bind().dialect.name == "sqlite"
    names = func.instr(stored, text.encode()) > 0 if sqlite else stored.contains(text.encode())
    stmt = (
        update(IdempotencyRecord)
        .where(names)
        .values(status_code=status_code, response_headers=headers, response_body=body)
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def purge_completed_before(session: AsyncSession, cutoff: datetime) -> int:
    stmt = delete(IdempotencyRecord).where(IdempotencyRecord.completed_on < cutoff)
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
