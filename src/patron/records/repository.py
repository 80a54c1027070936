"""Every query of the record dialect's challenges, streaks, milestones, logs and progress."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import Milestone, RecordDefinition, RecordLog, RecordProgress, Reward


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def definition(session: AsyncSession, definition_id: uuid.UUID) -> RecordDefinition | None:
    return await session.get(RecordDefinition, definition_id)


async def milestone(session: AsyncSession, milestone_id: uuid.UUID) -> Milestone | None:
    return await session.get(Milestone, milestone_id)


async def milestones_of(session: AsyncSession, definition_ids: Sequence[uuid.UUID]) -> Sequence[Milestone]:
    if not definition_ids:
        return []
    stmt = (
        select(Milestone)
        .where(Milestone.definition_id.in_(definition_ids))
        .order_by(Milestone.target, Milestone.created_on, Milestone.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def milestones_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Milestone]:
    if not ids:
        return {}
    found = (await session.execute(select(Milestone).where(Milestone.id.in_(ids)))).scalars().all()
    return {row.id: row for row in found}


async def has_progress(session: AsyncSession, definition_id: uuid.UUID) -> bool:
    stmt = select(exists().where(RecordProgress.definition_id == definition_id))
    return bool((await session.execute(stmt)).scalar_one())


async def delete_definition(session: AsyncSession, row: RecordDefinition) -> None:
    await session.execute(delete(Milestone).where(Milestone.definition_id == row.id))
    await session.delete(row)
    await session.flush()


async def delete_milestone(session: AsyncSession, row: Milestone) -> None:
    await session.delete(row)
    await session.flush()


async def milestone_rewarded(session: AsyncSession, milestone_id: uuid.UUID) -> bool:
    stmt = select(exists().where(Reward.source_type == "milestone", Reward.source_id == str(milestone_id)))
    return bool((await session.execute(stmt)).scalar_one())


async def insert_log(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Store the log unless the member's `uniqueIdentifier` for the definition exists: whether it was."""
    stmt = insert_for(session, RecordLog).values(row).on_conflict_do_nothing().returning(RecordLog.id)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def log(session: AsyncSession, log_id: uuid.UUID) -> RecordLog | None:
    stmt = select(RecordLog).where(RecordLog.id == log_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def start_progress(session: AsyncSession, row: dict[str, Any]) -> None:
    """The progress row of a member's window or run, made unless it exists."""
    await session.execute(insert_for(session, RecordProgress).values(row).on_conflict_do_nothing())


async def lock_progress(
    session: AsyncSession, contact_id: uuid.UUID, definition_id: uuid.UUID, period_key: str
) -> RecordProgress | None:
    stmt = (
        select(RecordProgress)
        .where(
            RecordProgress.contact_id == contact_id,
            RecordProgress.definition_id == definition_id,
            RecordProgress.period_key == period_key,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_progress(
    session: AsyncSession, contact_id: uuid.UUID, definition_id: uuid.UUID
) -> RecordProgress | None:
    """A member's newest run of a streak, locked."""
    stmt = (
        select(RecordProgress)
        .where(RecordProgress.contact_id == contact_id, RecordProgress.definition_id == definition_id)
        .order_by(RecordProgress.run.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def progress(session: AsyncSession, progress_id: uuid.UUID) -> RecordProgress | None:
    stmt = select(RecordProgress).where(RecordProgress.id == progress_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def logs_in(
    session: AsyncSession, contact_id: uuid.UUID, definition_id: uuid.UUID, period_keys: Sequence[str]
) -> Sequence[RecordLog]:
    if not period_keys:
        return []
    stmt = (
        select(RecordLog)
        .where(
            RecordLog.contact_id == contact_id,
            RecordLog.definition_id == definition_id,
            RecordLog.period_key.in_(period_keys),
        )
        .order_by(RecordLog.activity_at, RecordLog.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def reward(session: AsyncSession, reward_id: uuid.UUID) -> Reward | None:
    stmt = select(Reward).where(Reward.id == reward_id, Reward.source_type == "milestone")
    return (await session.execute(stmt)).scalar_one_or_none()


async def rows(session: AsyncSession, stmt: Select[Any]) -> list[Any]:
    return list((await session.execute(stmt)).scalars().all())


async def counted(session: AsyncSession, stmt: Select[int]) -> int:
    return int((await session.execute(stmt)).scalar_one())


async def reward_for(
    session: AsyncSession, milestone_id: str, contact_id: uuid.UUID, period_key: str
) -> Reward | None:
    stmt = select(Reward).where(
        Reward.source_type == "milestone",
        Reward.source_id == milestone_id,
        Reward.threshold == "milestone",
        Reward.period_key == period_key,
        Reward.contact_id == contact_id,
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_closed_windows(session: AsyncSession, now: datetime, limit: int) -> list[RecordProgress]:
    """Challenge windows that ended below target and were not told yet, locked (on PostgreSQL
    those another worker holds are skipped)."""
    stmt = (
        select(RecordProgress)
        .where(
            RecordProgress.status == "in_progress",
            RecordProgress.end_told_on.is_(None),
            RecordProgress.period_end <= now,
            RecordProgress.kind == "challenge",
        )
        .order_by(RecordProgress.period_end)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())
