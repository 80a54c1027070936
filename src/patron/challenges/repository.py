"""The ORM queries of challenge definitions, challenges and the checkpoint log: everything
but the checkpoint batches' set-based reads and writes (`batch_store`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.challenges.statuses import AssignOn, ChallengeStatus, DefinitionStatus
from patron.models import Challenge, ChallengeCheckpoint, ChallengeDefinition

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
    stmt = select(Def).where(
        Def.assign_on != AssignOn.NONE,
        Def.status != DefinitionStatus.DRAFT,
        Def.status != DefinitionStatus.ENDED,
    )
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
    return or_(Def.status == DefinitionStatus.ENDED, scheduled_end)


def _running(now: datetime) -> ColumnElement[bool]:
    not_expired = or_(Challenge.ends_on.is_(None), Challenge.ends_on > now)
    return and_(Challenge.status == ChallengeStatus.ACTIVE, not_expired, not_(_ended(now)))


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
        conditions.append(Challenge.status == ChallengeStatus.COMPLETED)
    elif which == "NotCompleted":
        conditions.append(and_(Challenge.status != ChallengeStatus.COMPLETED, not_(_running(now))))
    joined = select(Challenge, Def).join(Def, Def.id == Challenge.definition_id).where(*conditions)
    counted = select(func.count()).select_from(Challenge).join(Def, Def.id == Challenge.definition_id)
    total = (await session.execute(counted.where(*conditions))).scalar_one()
    stmt = (
        joined.order_by(Challenge.started_on.desc(), Challenge.cycle.desc(), Challenge.id)
        .offset(offset)
        .limit(count)
    )
    return [(c, d) for c, d in (await session.execute(stmt)).all()], int(total)


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


async def claim_expired(session: AsyncSession, now: datetime, limit: int) -> list[Challenge]:
    """Claim up to `limit` challenges of definitions with an expirationMonths that have passed
    their end uncompleted and whose expiry is not told yet, oldest end first, noting `now` as
    told: a conditional update, so of two concurrent callers each claims a challenge at most
    once (on PostgreSQL a challenge another caller holds is skipped)."""
    untold = (
        Challenge.ends_on.is_not(None),
        Challenge.ends_on <= now,
        Challenge.expiry_told_on.is_(None),
        Challenge.status != ChallengeStatus.COMPLETED,
    )
    chosen = (
        select(Challenge.id)
        .join(Def, Def.id == Challenge.definition_id)
        .where(*untold, Def.expiration_months.is_not(None))
        .order_by(Challenge.ends_on, Challenge.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(of=Challenge, skip_locked=True)
    stmt = (
        update(Challenge)
        .where(Challenge.id.in_(chosen.scalar_subquery()), *untold)
        .values(expiry_told_on=now)
        .returning(Challenge)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.execute(stmt)).scalars().all())
    return sorted(claimed, key=lambda challenge: (challenge.ends_on or now, str(challenge.id)))
