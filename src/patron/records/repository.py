"""Every query of the record dialect's challenges, streaks, milestones, logs and progress."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import Milestone, RecordDefinition, RecordIcon, RecordLog, RecordProgress, Reward


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


async def start_progress(session: AsyncSession, row: dict[str, Any]) -> bool:
    """The progress row of a member's window or run, made unless it exists: whether it was made."""
    stmt = (
        insert_for(session, RecordProgress).values(row).on_conflict_do_nothing().returning(RecordProgress.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def take_progress(session: AsyncSession, row: dict[str, Any]) -> RecordProgress:
    """The progress row of a member's window or run, made if missing and locked for the
    transaction, in one statement: an upsert whose conflict changes nothing but takes the
    row's lock, and returns the row as it is (a concurrent maker's, once it committed)."""
    table = RecordProgress.__table__
    stmt = insert_for(session, RecordProgress).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.contact_id, table.c.definition_id, table.c.period_key],
        set_={"modified_on": table.c.modified_on},
    ).returning(*table.c)
    taken = select(RecordProgress).from_statement(stmt).execution_options(populate_existing=True)
    progress: RecordProgress = (await session.execute(taken)).scalar_one()
    return progress


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
    """A member's newest run of a streak, locked. Read it while holding the member's first run
    (`lock_progress` of `run-0`): a run made by a transaction this one waited for is then seen."""
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


@dataclass(frozen=True)
class PeriodOf:
    """One member's window or streak period of one definition: whose logs a progress row shows."""

    contact_id: uuid.UUID
    definition_id: uuid.UUID
    period_key: str


async def logs_in(session: AsyncSession, periods: Collection[PeriodOf]) -> dict[PeriodOf, list[RecordLog]]:
    """The logs of each period, oldest first, in one query however many periods are asked."""
    found: dict[PeriodOf, list[RecordLog]] = {period: [] for period in periods}
    if not periods:
        return found
    stmt = (
        select(RecordLog)
        .where(
            tuple_(RecordLog.contact_id, RecordLog.definition_id, RecordLog.period_key).in_(
                [(p.contact_id, p.definition_id, p.period_key) for p in periods]
            )
        )
        .order_by(RecordLog.activity_at, RecordLog.id)
    )
    for log in (await session.execute(stmt)).scalars():
        found[PeriodOf(log.contact_id, log.definition_id, log.period_key)].append(log)
    return found


async def definitions(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, RecordDefinition]:
    if not ids:
        return {}
    stmt = select(RecordDefinition).where(RecordDefinition.id.in_(ids))
    return {row.id: row for row in (await session.execute(stmt)).scalars()}


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


async def claim_broken_runs(session: AsyncSession, now: datetime, limit: int) -> list[RecordProgress]:
    """Streak runs whose needed period ended unmet, locked (on PostgreSQL those another worker
    holds are skipped)."""
    stmt = (
        select(RecordProgress)
        .where(
            RecordProgress.status == "in_progress",
            RecordProgress.breaks_at.is_not(None),
            RecordProgress.breaks_at <= now,
        )
        .order_by(RecordProgress.breaks_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def icon(session: AsyncSession, definition_id: uuid.UUID) -> RecordIcon | None:
    return await session.get(RecordIcon, definition_id)


async def put_icon(session: AsyncSession, row: dict[str, Any]) -> None:
    """The definition's icon, replacing the one it had."""
    stmt = insert_for(session, RecordIcon).values(row)
    changed = {key: stmt.excluded[key] for key in ("content_type", "content", "digest", "modified_on")}
    await session.execute(stmt.on_conflict_do_update(index_elements=["definition_id"], set_=changed))


async def delete_icon(session: AsyncSession, definition_id: uuid.UUID) -> None:
    await session.execute(delete(RecordIcon).where(RecordIcon.definition_id == definition_id))


async def ledger_of(session: AsyncSession, definition_id: uuid.UUID) -> Sequence[RecordLog]:
    """Every log of a definition, each member's in the order they were counted. All members:
    the rebuild reads every shard."""
    stmt = (
        select(RecordLog)
        .where(RecordLog.definition_id == definition_id)
        .order_by(RecordLog.contact_id, RecordLog.created_on, RecordLog.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def progress_of(
    session: AsyncSession, definition_id: uuid.UUID, *, lock: bool
) -> Sequence[RecordProgress]:
    """Every member's progress rows of a definition; locked, no log can be counted in them
    until this transaction ends (logs go in under their row's lock)."""
    stmt = select(RecordProgress).where(RecordProgress.definition_id == definition_id)
    if lock:
        stmt = stmt.with_for_update()
    return (
        (await session.execute(stmt.order_by(RecordProgress.contact_id, RecordProgress.run))).scalars().all()
    )


async def all_definitions(session: AsyncSession) -> Sequence[RecordDefinition]:
    return (await session.execute(select(RecordDefinition).order_by(RecordDefinition.id))).scalars().all()


async def milestone_rewards(session: AsyncSession, milestone_ids: Sequence[uuid.UUID]) -> Sequence[Reward]:
    if not milestone_ids:
        return []
    stmt = select(Reward).where(
        Reward.source_type == "milestone", Reward.source_id.in_([str(one) for one in milestone_ids])
    )
    return (await session.execute(stmt)).scalars().all()
