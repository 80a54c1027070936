"""Targeting (admin): a promotion assigned to every member of a segment, as a background job."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from patron.api.deps import Admin, CurrentSettings, EngageBase, Session, State, errors
from patron.errors import BadRequest
from patron.promotions.errors import PromotionNotActive, PromotionNotFound
from patron.segments import jobs
from patron.segments.errors import AssignmentJobNotFound, SegmentNotFound
from patron.segments.schemas import AssignmentJobOut, AssignSegmentIn

router = APIRouter(tags=["segments"])


@router.post(
    "/promotions/multichannels/{promotionId}/assign-segment",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AssignmentJobOut,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotActive, SegmentNotFound),
)
async def assign_segment(
    promotionId: uuid.UUID,
    body: AssignSegmentIn,
    session: Session,
    caller: Admin,
    base: EngageBase,
    state: State,
) -> AssignmentJobOut:
    job = await jobs.create(session, promotionId, body, state.settings.assignment_rows_per_second)
    state.segment_work.set()
    return jobs.job_out(job, base, state.settings.zone)


@router.get(
    "/assignment-jobs/{jobId}",
    response_model=AssignmentJobOut,
    responses=errors(BadRequest, AssignmentJobNotFound),
)
async def get_assignment_job(
    jobId: uuid.UUID, session: Session, caller: Admin, base: EngageBase, settings: CurrentSettings
) -> AssignmentJobOut:
    return jobs.job_out(await jobs.get(session, jobId), base, settings.zone)
