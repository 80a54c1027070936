"""Every query for challenge definitions, challenges and the checkpoint log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.db.upsert import insert_for
from patron.models import Challenge, ChallengeCheckpoint, ChallengeDefinition

Pair = tuple[uuid.UUID, uuid.UUID]  # (contact id, definition id)
Def = ChallengeDefinition


async def definition(session: AsyncSession, definition_id: uuid.UUID) -> ChallengeDefinition | None:
    return await session.get(ChallengeDefinition, definition_id)


async def definitions(
    session: AsyncSession, ids: set[uuid.UUID] | None = None
) -> Sequence[ChallengeDefinition]:
    stmt = select(Def).order_by(Def.created_on, Def.id)
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(Def.id.in_(ids))
    return (await session.execute(stmt)).scalars().all()


async def receipt_driven_definitions(session: AsyncSession) -> Sequence[ChallengeDefinition]:
    stmt = select(Def).where(Def.assign_on != 0, Def.status != 0, Def.status != 3)
    return (await session.execute(stmt)).scalars().all()


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def remove_definition(session: AsyncSession, definition: ChallengeDefinition) -> None:
    await session.delete(definition)


async def has_challenges(session: AsyncSession, definition_id: uuid.UUID) -> bool:
    stmt = select(Challenge.id).where(Challenge.definition_id == definition_id).limit(1)
    return (await session.execute(stmt)).first() is not None


async def challenge(session: AsyncSession, challenge_id: uuid.UUID) -> Challenge | None:
    return await session.get(Challenge, challenge_id)


def _ended(now: datetime) -> ColumnElement[bool]:
    scheduled_end = and_(Def.is_scheduled.is_(True), Def.scheduled_to.is_not(None), Def.scheduled_to <= now)
    return or_(Def.status == 3, scheduled_end)


def _running(now: datetime) -> ColumnElement[bool]:
    not_expired = or_(Challenge.ends_on.is_(None), Challenge.ends_on > now)
    return and_(Challenge.status == 1, not_expired, not_(_ended(now)))


async def challenges_of(
    session: AsyncSession,
    contact_id: uuid.UUID,
    definition_id: uuid.UUID | None,
    which: str,
    now: datetime,
    offset: int,
    count: int,
) -> tuple[Sequence[tuple[Challenge, ChallengeDefinition]], int]:
    conditions: list[ColumnElement[bool]] = [Challenge.contact_id == contact_id]
    if definition_id is not None:
        conditions.append(Challenge.definition_id == definition_id)
    if which == "Active":
        conditions.append(_running(now))
    elif which == "Completed":
        conditions.append(Challenge.status == 2)
    elif which == "NotCompleted":
        conditions.append(and_(Challenge.status != 2, not_(_running(now))))
    joined = select(Challenge, Def).join(Def, Def.id == Challenge.definition_id).where(*conditions)
    counted = select(func.count()).select_from(Challenge).join(Def, Def.id == Challenge.definition_id)
    total = (await session.execute(counted.where(*conditions))).scalar_one()
    stmt = (
        joined.order_by(Challenge.started_on.desc(), Challenge.cycle.desc(), Challenge.id)
        .offset(offset)
        .limit(count)
    )
    return [(c, d) for c, d in (await session.execute(stmt)).all()], int(total)


async def insert_first_cycles(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Pair]:
    """Start cycle 0 where the contact has none yet; returns the pairs that were started now."""
    if not rows:
        return []
    rows = sorted(rows, key=lambda r: (str(r["contact_id"]), str(r["definition_id"])))
    # Parameter lists rather than one huge VALUES: the statement compiles once and is cached.
    stmt = (
        insert_for(session, Challenge)
        .on_conflict_do_nothing()
        .returning(Challenge.contact_id, Challenge.definition_id)
    )
    return [(c, d) for c, d in (await session.execute(stmt, rows)).all()]


async def current_ids(session: AsyncSession, pairs: Sequence[Pair]) -> dict[Pair, uuid.UUID]:
    if not pairs:
        return {}
    # Two plain INs (then the exact pairs in Python): row-value IN does not bind GUIDs on SQLite.
    wanted = set(pairs)
    stmt = select(Challenge.contact_id, Challenge.definition_id, Challenge.id).where(
        Challenge.contact_id.in_({c for c, _ in wanted}),
        Challenge.definition_id.in_({d for _, d in wanted}),
        Challenge.is_current.is_(True),
    )
    return {(c, d): i for c, d, i in (await session.execute(stmt)).all() if (c, d) in wanted}


async def add_log(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert_for(session, ChallengeCheckpoint), rows)


async def log_of_definition(session: AsyncSession, definition_id: uuid.UUID) -> Sequence[ChallengeCheckpoint]:
    stmt = (
        select(ChallengeCheckpoint)
        .where(ChallengeCheckpoint.definition_id == definition_id)
        .order_by(ChallengeCheckpoint.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def challenges_of_definition(session: AsyncSession, definition_id: uuid.UUID) -> Sequence[Challenge]:
    stmt = select(Challenge).where(Challenge.definition_id == definition_id)
    return (await session.execute(stmt)).scalars().all()


async def delete_challenges(session: AsyncSession, ids: list[uuid.UUID]) -> None:
    if ids:
        await session.execute(delete(Challenge).where(Challenge.id.in_(ids)))
