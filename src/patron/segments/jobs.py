"""Assignment jobs: a promotion given to every member of a segment, in the background.

A job goes through the members in contact id order, a batch per transaction. Each batch notes
its contacts in `segment_assignments` (one row per contact and promotion, whichever job or run
writes it first), assigns the promotion to those it noted, and moves the job's cursor past
them, all in one commit: a crash loses at most the batch in flight, which the next run redoes,
and no contact is ever given the promotion twice, however often a job (or a second job of the
same promotion) runs. Batches are paced to `rows_per_second`, so a job never crowds out the tills.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import lock_row
from patron.kit import clock, ids
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import AssignmentJob
from patron.promotions import service as promotions
from patron.segments import repository
from patron.segments import service as segments
from patron.segments.errors import AssignmentJobNotFound
from patron.segments.schemas import AssignmentJobOut, AssignSegmentIn

# A running job is its worker's for this long after each batch; then another may take it over.
LEASE = timedelta(seconds=30)
# The most contacts one transaction assigns, however fast the job may go.
MOST_PER_BATCH = 500


def job_out(job: AssignmentJob, base_url: str, zone: ZoneInfo) -> AssignmentJobOut:
    return AssignmentJobOut(
        id=job.id,
        promotionId=job.promotion_id,
        segmentId=job.segment_id,
        status=job.status,
        rowsPerSecond=job.rows_per_second,
        total=job.total,
        processed=job.processed,
        assigned=job.assigned,
        error=job.error,
        createdOn=local_iso(job.created_on, zone),
        startedOn=local_iso(job.started_on, zone),
        finishedOn=local_iso(job.finished_on, zone),
        links=[
            item_link(base_url, f"/assignment-jobs/{job.id}", job.id, "self"),
            item_link(
                base_url, f"/promotions/multichannels/{job.promotion_id}", job.promotion_id, "promotion"
            ),
            item_link(base_url, f"/segments/{job.segment_id}", job.segment_id, "segment"),
        ],
    )


async def create(
    session: AsyncSession, promotion_id: uuid.UUID, body: AssignSegmentIn, default_rate: int
) -> AssignmentJob:
    """Queue a job; the promotion must be assignable now (it is checked again per batch)."""
    await promotions.ensure_assignable(session, promotion_id)
    await segments.get(session, body.segmentId)
    job = AssignmentJob(
        id=ids.new_id(),
        promotion_id=promotion_id,
        segment_id=body.segmentId,
        status="Queued",
        rows_per_second=body.rowsPerSecond or default_rate,
        processed=0,
        assigned=0,
        created_on=clock.now(),
    )
    repository.add(session, job)
    await session.flush()
    return job


async def get(session: AsyncSession, job_id: uuid.UUID) -> AssignmentJob:
    found = await repository.job(session, job_id)
    if found is None:
        raise AssignmentJobNotFound(f"No assignment job {job_id}.")
    return found


@dataclass(frozen=True)
class Ticket:
    """A job as its worker holds it between batches."""

    job_id: uuid.UUID
    promotion_id: uuid.UUID
    segment_id: uuid.UUID
    cursor: uuid.UUID | None
    rows_per_second: int

    @property
    def batch_size(self) -> int:
        return max(1, min(self.rows_per_second, MOST_PER_BATCH))


def _ticket(job: AssignmentJob) -> Ticket:
    return Ticket(job.id, job.promotion_id, job.segment_id, job.cursor, job.rows_per_second)


async def any_to_take(session: AsyncSession) -> bool:
    """Whether a job waits for a worker (read before a write transaction is opened for it)."""
    return await repository.any_job_to_take(session, clock.now())


async def take_next(
    session: AsyncSession, custom_attributes: frozenset[str], zone: ZoneInfo
) -> Ticket | None:
    """Take a queued job (recomputing its segment's members first, so it targets who belongs
    now) or a running one whose worker is gone (resumed from its cursor)."""
    now = clock.now()
    job = await repository.claim_job(session, now)
    if job is None:
        return None
    if job.status == "Queued":
        segment = await segments.get(session, job.segment_id)
        job.total = await segments.refresh(session, segment, custom_attributes, zone)
        job.status, job.started_on = "Running", now
    job.lease_until = now + LEASE
    await session.flush()
    return _ticket(job)


async def assign_batch(session: AsyncSession, ticket: Ticket) -> Ticket | None:
    """Assign the next batch; the ticket for the one after, None when the job is done or no
    longer this worker's (another took it over after this one's lease ran out)."""
    job = await lock_row(session, AssignmentJob, ticket.job_id)
    if job is None or job.status != "Running" or job.cursor != ticket.cursor:
        return None
    now = clock.now()
    members = await repository.members_after(session, ticket.segment_id, ticket.cursor, ticket.batch_size)
    if not members:
        job.status, job.finished_on, job.lease_until = "Done", now, None
        await session.flush()
        return None
    noted = {contact_id: ids.new_id() for contact_id in members}
    claimed = await repository.claim_contacts(
        session,
        [
            {
                "contact_id": contact_id,
                "promotion_id": ticket.promotion_id,
                "job_id": ticket.job_id,
                "assignment_id": assignment_id,
                "assigned_on": now,
            }
            for contact_id, assignment_id in noted.items()
        ],
    )
    if claimed:
        await promotions.assign_to_members(session, ticket.promotion_id, {c: noted[c] for c in claimed})
    job.cursor = members[-1]
    job.processed += len(members)
    job.assigned += len(claimed)
    job.lease_until = now + LEASE
    await session.flush()
    return _ticket(job)


async def fail(session: AsyncSession, job_id: uuid.UUID, reason: str) -> None:
    job = await lock_row(session, AssignmentJob, job_id)
    if job is not None:
        job.status, job.error, job.finished_on, job.lease_until = "Failed", reason[:1024], clock.now(), None
        await session.flush()


def pause_after(ticket: Ticket, done: int, elapsed: float) -> float:
    """Seconds to wait after a batch of `done` rows took `elapsed`, to keep to the job's rate."""
    return max(0.0, done / ticket.rows_per_second - elapsed)
