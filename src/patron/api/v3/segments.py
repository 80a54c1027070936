"""Segments (admin): audiences by rule, previewed, paged and refreshed (docs/SEGMENTS.md)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from patron.api.deps import Admin, CurrentSettings, EngageBase, ListUrl, Page, Session, State, errors
from patron.api.pages import Paged
from patron.errors import BadRequest
from patron.kit.paging import page_body
from patron.segments import service as segments
from patron.segments.errors import SegmentHasJobs, SegmentNotFound
from patron.segments.schemas import MemberOut, PreviewOut, RuleIn, SegmentIn, SegmentOut

router = APIRouter(tags=["segments"])


def _custom(settings: CurrentSettings) -> frozenset[str]:
    return frozenset(settings.contact_custom_attributes)


@router.get("/segments", response_model=Paged[SegmentOut], responses=errors(BadRequest))
async def list_segments(
    session: Session, caller: Admin, page: Page, url: ListUrl, base: EngageBase, settings: CurrentSettings
) -> dict[str, object]:
    found, total = await segments.page(session, page.offset, page.count)
    return page_body([segments.segment_out(s, base, settings.zone) for s in found], url, {}, page, total)


@router.post(
    "/segments", status_code=status.HTTP_201_CREATED, response_model=SegmentOut, responses=errors(BadRequest)
)
async def create_segment(
    body: SegmentIn, session: Session, caller: Admin, base: EngageBase, state: State
) -> SegmentOut:
    segment = await segments.create(session, body, _custom(state.settings))
    state.segment_work.set()
    return segments.segment_out(segment, base, state.settings.zone)


@router.post("/segments/preview", response_model=PreviewOut, responses=errors(BadRequest))
async def preview_segment(
    body: RuleIn, session: Session, caller: Admin, settings: CurrentSettings
) -> PreviewOut:
    return PreviewOut(count=await segments.preview(session, body.rule, _custom(settings), settings.zone))


@router.get("/segments/{segmentId}", response_model=SegmentOut, responses=errors(BadRequest, SegmentNotFound))
async def get_segment(
    segmentId: uuid.UUID, session: Session, caller: Admin, base: EngageBase, settings: CurrentSettings
) -> SegmentOut:
    return segments.segment_out(await segments.get(session, segmentId), base, settings.zone)


@router.put("/segments/{segmentId}", response_model=SegmentOut, responses=errors(BadRequest, SegmentNotFound))
async def replace_segment(
    segmentId: uuid.UUID, body: SegmentIn, session: Session, caller: Admin, base: EngageBase, state: State
) -> SegmentOut:
    segment = await segments.replace(session, segmentId, body, _custom(state.settings))
    state.segment_work.set()
    return segments.segment_out(segment, base, state.settings.zone)


@router.delete(
    "/segments/{segmentId}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(BadRequest, SegmentNotFound, SegmentHasJobs),
)
async def delete_segment(segmentId: uuid.UUID, session: Session, caller: Admin) -> Response:
    await segments.delete(session, segmentId)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/segments/{segmentId}/contacts",
    response_model=Paged[MemberOut],
    responses=errors(BadRequest, SegmentNotFound),
)
async def list_segment_contacts(
    segmentId: uuid.UUID, session: Session, caller: Admin, page: Page, url: ListUrl, base: EngageBase
) -> dict[str, object]:
    found, total = await segments.members(session, segmentId, page.offset, page.count)
    return page_body([segments.member_out(c, base) for c in found], url, {}, page, total)


@router.post(
    "/segments/{segmentId}/refresh",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SegmentOut,
    responses=errors(BadRequest, SegmentNotFound),
)
async def refresh_segment(
    segmentId: uuid.UUID, session: Session, caller: Admin, base: EngageBase, state: State
) -> SegmentOut:
    segment = await segments.request_refresh(session, segmentId)
    state.segment_work.set()
    return segments.segment_out(segment, base, state.settings.zone)
