"""Every query of segments, their members and assignment jobs; membership by compiled SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import AssignmentJob, Contact, Segment, SegmentAssignment, SegmentMember
from patron.models.contact import LIVE
from patron.segments.sql import Compiler


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def compiler(session: AsyncSession, now: datetime, zone: Any) -> Compiler:
    return Compiler(session.get_bind().dialect.name, now, zone)


async def segment(session: AsyncSession, segment_id: uuid.UUID) -> Segment | None:
    return await session.get(Segment, segment_id)


async def segments_page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[Segment], int]:
    total = (await session.execute(select(func.count()).select_from(Segment))).scalar_one()
    stmt = select(Segment).order_by(Segment.created_on, Segment.id).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


def add(session: AsyncSession, row: Segment | AssignmentJob) -> None:
    session.add(row)


async def delete_segment(session: AsyncSession, segment_id: uuid.UUID) -> None:
    await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == segment_id))
    await session.execute(delete(Segment).where(Segment.id == segment_id))


async def has_jobs(session: AsyncSession, segment_id: uuid.UUID) -> bool:
    stmt = select(AssignmentJob.id).where(AssignmentJob.segment_id == segment_id).limit(1)
    return (await session.execute(stmt)).first() is not None


async def count_matching(session: AsyncSession, members: Any) -> int:
    """How many rows the compiled members query returns."""
    stmt = select(func.count()).select_from(members.subquery())
    return int((await session.execute(stmt)).scalar_one())


async def replace_members(session: AsyncSession, segment_id: uuid.UUID, members: Any) -> int:
    """The segment's members become exactly those of the compiled query, in one statement each
    way: nobody is loaded into Python. How many there are now."""
    await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == segment_id))
    chosen = members.with_only_columns(literal(segment_id, Uuid()), Contact.id)
    await session.execute(insert(SegmentMember).from_select(["segment_id", "contact_id"], chosen))
    stmt = select(func.count()).select_from(SegmentMember).where(SegmentMember.segment_id == segment_id)
    return int((await session.execute(stmt)).scalar_one())


async def clear_members(session: AsyncSession, segment_id: uuid.UUID) -> None:
    await session.execute(delete(SegmentMember).where(SegmentMember.segment_id == segment_id))


async def members_page(
    session: AsyncSession, segment_id: uuid.UUID, offset: int, count: int
) -> tuple[Sequence[uuid.UUID], int]:
    """Members as of the last refresh who are still live, in contact id order."""
    mine = (
        select(SegmentMember.contact_id)
        .join(Contact, Contact.id == SegmentMember.contact_id)
        .where(SegmentMember.segment_id == segment_id, LIVE)
    )
    total = (await session.execute(select(func.count()).select_from(mine.subquery()))).scalar_one()
    stmt = mine.order_by(SegmentMember.contact_id).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


async def is_member(session: AsyncSession, segment_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    stmt = select(SegmentMember.contact_id).where(
        SegmentMember.segment_id == segment_id, SegmentMember.contact_id == contact_id
    )
    return (await session.execute(stmt)).first() is not None


async def claim_due_segment(session: AsyncSession, now: datetime) -> Segment | None:
    """The segment whose refresh is due longest, locked (a segment another worker refreshes is
    skipped on PostgreSQL; SQLite has one writer anyway)."""
    stmt = select(Segment).where(Segment.refresh_due_on <= now).order_by(Segment.refresh_due_on).limit(1)
    if _postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def job(session: AsyncSession, job_id: uuid.UUID) -> AssignmentJob | None:
    return await session.get(AssignmentJob, job_id)


async def claim_job(session: AsyncSession, now: datetime) -> AssignmentJob | None:
    """A job to work on: queued, or running with its worker's lease run out (it crashed)."""
    open_ = AssignmentJob.status.in_(("Queued", "Running"))
    free = (AssignmentJob.lease_until.is_(None)) | (AssignmentJob.lease_until < now)
    stmt = select(AssignmentJob).where(open_, free).order_by(AssignmentJob.created_on).limit(1)
    if _postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    return (await session.execute(stmt)).scalar_one_or_none()


async def members_after(
    session: AsyncSession, segment_id: uuid.UUID, cursor: uuid.UUID | None, limit: int
) -> Sequence[uuid.UUID]:
    """The next `limit` live members after the cursor, in contact id order."""
    stmt = (
        select(SegmentMember.contact_id)
        .join(Contact, Contact.id == SegmentMember.contact_id)
        .where(SegmentMember.segment_id == segment_id, LIVE)
    )
    if cursor is not None:
        stmt = stmt.where(SegmentMember.contact_id > cursor)
    stmt = stmt.order_by(SegmentMember.contact_id).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def claim_contacts(session: AsyncSession, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Note these contacts as given the promotion by a segment; the ones this insert noted (a
    contact given it before, by any job or run, is not noted again)."""
    if not rows:
        return set()
    stmt = (
        insert_for(session, SegmentAssignment)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(SegmentAssignment.contact_id)
    )
    return set((await session.execute(stmt)).scalars().all())


async def any_segment_due(session: AsyncSession, now: datetime) -> bool:
    stmt = select(Segment.id).where(Segment.refresh_due_on <= now).limit(1)
    return (await session.execute(stmt)).first() is not None


async def any_job_to_take(session: AsyncSession, now: datetime) -> bool:
    open_ = AssignmentJob.status.in_(("Queued", "Running"))
    free = (AssignmentJob.lease_until.is_(None)) | (AssignmentJob.lease_until < now)
    return (await session.execute(select(AssignmentJob.id).where(open_, free).limit(1))).first() is not None
