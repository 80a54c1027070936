"""Use cases of segments: define one by rule, preview a rule, page members, refresh them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import Segment
from patron.segments import repository
from patron.segments.errors import SegmentHasJobs, SegmentNotFound
from patron.segments.grammar import Rule, RuleError, read_rule
from patron.segments.schemas import MemberOut, SegmentIn, SegmentOut


def rule_of(raw: dict[str, Any], custom_attributes: frozenset[str]) -> Rule:
    """The rule read, or a 400 naming the field, operator or value it cannot read."""
    try:
        return read_rule(raw, custom_attributes)
    except RuleError as error:
        raise BadRequest(str(error), details=[{"field": error.path, "message": error.message}]) from error


def segment_out(segment: Segment, base_url: str, zone: ZoneInfo) -> SegmentOut:
    return SegmentOut(
        id=segment.id,
        name=segment.name,
        description=segment.description,
        rule=segment.rule,
        refreshMinutes=segment.refresh_minutes,
        memberCount=segment.member_count,
        refreshedOn=local_iso(segment.refreshed_on, zone),
        refreshDueOn=local_iso(segment.refresh_due_on, zone),
        createdOn=local_iso(segment.created_on, zone),
        modifiedOn=local_iso(segment.modified_on, zone),
        links=[
            item_link(base_url, f"/segments/{segment.id}", segment.id, "self"),
            item_link(base_url, f"/segments/{segment.id}/contacts", segment.id, "contacts"),
        ],
    )


def member_out(contact_id: uuid.UUID, base_url: str) -> MemberOut:
    return MemberOut(
        contactId=contact_id, links=[item_link(base_url, f"/contacts/{contact_id}", contact_id, "contact")]
    )


async def create(session: AsyncSession, body: SegmentIn, custom_attributes: frozenset[str]) -> Segment:
    rule_of(body.rule, custom_attributes)
    now = clock.now()
    segment = Segment(
        id=ids.new_id(),
        name=body.name,
        description=body.description,
        rule=body.rule,
        refresh_minutes=body.refreshMinutes,
        # A new segment is refreshed by the worker at once.
        refresh_due_on=now,
        created_on=now,
        modified_on=now,
    )
    repository.add(session, segment)
    await session.flush()
    return segment


async def get(session: AsyncSession, segment_id: uuid.UUID) -> Segment:
    found = await repository.segment(session, segment_id)
    if found is None:
        raise SegmentNotFound(f"No segment {segment_id}.")
    return found


async def page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[Segment], int]:
    return await repository.segments_page(session, offset, count)


async def replace(
    session: AsyncSession, segment_id: uuid.UUID, body: SegmentIn, custom_attributes: frozenset[str]
) -> Segment:
    segment = await get(session, segment_id)
    rule_of(body.rule, custom_attributes)
    now = clock.now()
    segment.name, segment.description, segment.rule = body.name, body.description, body.rule
    segment.refresh_minutes, segment.modified_on = body.refreshMinutes, now
    # A changed rule's members are recomputed at once.
    segment.refresh_due_on = now
    await session.flush()
    return segment


async def delete(session: AsyncSession, segment_id: uuid.UUID) -> None:
    await get(session, segment_id)
    if await repository.has_jobs(session, segment_id):
        raise SegmentHasJobs()
    await repository.delete_segment(session, segment_id)


async def preview(
    session: AsyncSession, raw: dict[str, Any], custom_attributes: frozenset[str], zone: ZoneInfo
) -> int:
    """How many live contacts the rule holds for now, counted by the database."""
    rule = rule_of(raw, custom_attributes)
    members = repository.compiler(session, clock.now(), zone).members(rule)
    return await repository.count_matching(session, members)


async def members(
    session: AsyncSession, segment_id: uuid.UUID, offset: int, count: int
) -> tuple[Sequence[uuid.UUID], int]:
    await get(session, segment_id)
    return await repository.members_page(session, segment_id, offset, count)


async def request_refresh(session: AsyncSession, segment_id: uuid.UUID) -> Segment:
    """Ask the worker to recompute the members now (its next turn)."""
    segment = await get(session, segment_id)
    segment.refresh_due_on = clock.now()
    await session.flush()
    return segment


async def refresh(
    session: AsyncSession, segment: Segment, custom_attributes: frozenset[str], zone: ZoneInfo
) -> int:
    """Recompute the members from the rule; the next refresh is due `refresh_minutes` on."""
    now = clock.now()
    rule = read_rule(segment.rule, custom_attributes)
    count = await repository.replace_members(
        session, segment.id, repository.compiler(session, now, zone).members(rule)
    )
    segment.member_count, segment.refreshed_on = count, now
    segment.refresh_due_on = now + timedelta(minutes=segment.refresh_minutes)
    await session.flush()
    return count


async def any_due(session: AsyncSession, now: datetime) -> bool:
    """Whether some segment's refresh is due (read before a write transaction is opened for it)."""
    return await repository.any_segment_due(session, now)


async def refresh_due(
    session: AsyncSession, custom_attributes: frozenset[str], zone: ZoneInfo, now: datetime
) -> Segment | None:
    """Refresh the segment whose refresh is due longest, if any; that segment."""
    segment = await repository.claim_due_segment(session, now)
    if segment is None:
        return None
    try:
        await refresh(session, segment, custom_attributes, zone)
    except RuleError:
        # A rule stored before a custom attribute it names was removed from the settings: it
        # has no members until it is fixed, and is not tried again for its interval.
        segment.member_count, segment.refresh_due_on = 0, now + timedelta(minutes=segment.refresh_minutes)
        await repository.clear_members(session, segment.id)
    return segment


async def is_member(session: AsyncSession, segment_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    """Whether the contact was a member at the segment's last refresh (an audience's question)."""
    return await repository.is_member(session, segment_id, contact_id)
