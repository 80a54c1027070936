"""Reading records, as each caller may: staff (admin and integration keys) see everything;
an end user sees live challenges, streaks and milestones and their own progress, logs and
reward logs, and anything else is not there for them (404); a guest sees live challenges,
streaks and their live milestones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.models import Milestone, RecordDefinition, RecordLog, RecordProgress, Reward
from patron.records import display, repository
from patron.records.errors import RecordNotFound
from patron.records.fields import FieldKind, Order, RecordField, RecordFields, SortKey
from patron.records.page import RecordPage, record_page
from patron.records.progress import period_of, progress_out
from patron.records.query import ListQuery
from patron.records.query_sql import count_statement, page_statement
from patron.records.render import definition_out, log_out, milestone_out, reward_log_out
from patron.records.schemas import Kind, ProgressStatus, Status

_STATUSES = frozenset(status.value for status in Status)


@dataclass(frozen=True)
class Viewer:
    """Who reads: staff, an end user (their contact), or a guest (neither)."""

    staff: bool = False
    member: uuid.UUID | None = None

    @property
    def public(self) -> bool:
        return not self.staff


_DISPLAY = frozenset(
    {"milestones", "timezone", "eudIcon", "aggregationTargetValue", *display.DEFINITION_FIELDS}
)
DEFINITION_FIELDS = RecordFields(
    (
        RecordField("id", RecordDefinition.id, FieldKind.ID),
        RecordField("name", RecordDefinition.name, FieldKind.TEXT),
        RecordField("description", RecordDefinition.description, FieldKind.TEXT),
        RecordField("status", RecordDefinition.status, FieldKind.CHOICE, _STATUSES),
        RecordField("completionTargetValue", RecordDefinition.completion_target, FieldKind.NUMBER),
        RecordField(
            "aggregationMethod",
            RecordDefinition.aggregation_method,
            FieldKind.CHOICE,
            frozenset({"sum", "count"}),
        ),
        RecordField(
            "aggregationPeriod",
            RecordDefinition.aggregation_period,
            FieldKind.CHOICE,
            frozenset({"daily", "weekly", "monthly"}),
        ),
        RecordField("createdAt", RecordDefinition.created_on, FieldKind.INSTANT),
        RecordField("updatedAt", RecordDefinition.modified_on, FieldKind.INSTANT),
    ),
    tie_breaker=RecordDefinition.id,
    default_sort=(SortKey("createdAt"),),
    shown=_DISPLAY,
)
MILESTONE_FIELDS = RecordFields(
    (
        RecordField("id", Milestone.id, FieldKind.ID),
        RecordField("linkedSchemaRecordId", Milestone.definition_id, FieldKind.ID),
        RecordField("name", Milestone.name, FieldKind.TEXT),
        RecordField("milestoneTargetValue", Milestone.target, FieldKind.NUMBER),
        RecordField("status", Milestone.status, FieldKind.CHOICE, _STATUSES),
        RecordField("createdAt", Milestone.created_on, FieldKind.INSTANT),
    ),
    tie_breaker=Milestone.id,
    default_sort=(SortKey("milestoneTargetValue"),),
    shown=frozenset({"linkedSchemaSlug", "description", "reward", "updatedAt", *display.MILESTONE_FIELDS}),
)
_PROGRESS_STATUSES = frozenset(status.value for status in ProgressStatus)
_PROGRESS_SHOWN = frozenset(
    {
        "uniqueIdentifier",
        "challengeStartedAt",
        "challengeCompletedAt",
        "challengeFailedAt",
        "streakStartedAt",
        "streakBrokenAt",
        "streakCompletedAt",
        "currentPeriodValue",
        "nextMilestone",
        "nextRemainingValue",
        "eudCompletedChallengeMessage",
        "eudFailedChallengeMessage",
        "eudMilestoneNextToBeAchievedMessage",
        "taskProgress",
    }
)


def _progress_fields(kind: Kind) -> RecordFields:
    owner = "challengeId" if kind is Kind.CHALLENGE else "streakId"
    status = "challengeProgressStatus" if kind is Kind.CHALLENGE else "streakProgressStatus"
    return RecordFields(
        (
            RecordField("id", RecordProgress.id, FieldKind.ID),
            RecordField(owner, RecordProgress.definition_id, FieldKind.ID),
            RecordField("ownedById", RecordProgress.contact_id, FieldKind.ID),
            RecordField("currentProgressValue", RecordProgress.value, FieldKind.NUMBER),
            RecordField(status, RecordProgress.status, FieldKind.CHOICE, _PROGRESS_STATUSES),
            RecordField("periodKey", RecordProgress.period_key, FieldKind.TEXT),
            RecordField("periodStart", RecordProgress.period_start, FieldKind.INSTANT),
            RecordField("periodEnd", RecordProgress.period_end, FieldKind.INSTANT),
            RecordField("updatedAt", RecordProgress.modified_on, FieldKind.INSTANT),
        ),
        tie_breaker=RecordProgress.id,
        default_sort=(SortKey("updatedAt", Order.DESC),),
        shown=_PROGRESS_SHOWN,
    )


def _log_fields(kind: Kind) -> RecordFields:
    owner = "challengeId" if kind is Kind.CHALLENGE else "streakId"
    return RecordFields(
        (
            RecordField("id", RecordLog.id, FieldKind.ID),
            RecordField(owner, RecordLog.definition_id, FieldKind.ID),
            RecordField("ownedById", RecordLog.contact_id, FieldKind.ID),
            RecordField("activityAt", RecordLog.activity_at, FieldKind.INSTANT),
            RecordField("activityId", RecordLog.activity_id, FieldKind.TEXT),
            RecordField("uniqueIdentifier", RecordLog.unique_identifier, FieldKind.TEXT),
            RecordField("activityValue", RecordLog.activity_value, FieldKind.NUMBER),
            RecordField("periodKey", RecordLog.period_key, FieldKind.TEXT),
            RecordField("createdAt", RecordLog.created_on, FieldKind.INSTANT),
        ),
        tie_breaker=RecordLog.id,
        default_sort=(SortKey("createdAt", Order.DESC),),
    )


PROGRESS_FIELDS = MappingProxyType({kind: _progress_fields(kind) for kind in Kind})
LOG_FIELDS = MappingProxyType({kind: _log_fields(kind) for kind in Kind})
REWARD_LOG_FIELDS = RecordFields(
    (
        RecordField("id", Reward.id, FieldKind.ID),
        RecordField("milestoneId", Reward.source_id, FieldKind.TEXT),
        RecordField("ownedById", Reward.contact_id, FieldKind.ID),
        RecordField("couponCode", Reward.coupon_code, FieldKind.TEXT),
        RecordField("periodKey", Reward.period_key, FieldKind.TEXT),
        RecordField("rewardIssuedAt", Reward.issued_on, FieldKind.INSTANT),
        RecordField("rewardExpiryAt", Reward.expires_on, FieldKind.INSTANT),
    ),
    tie_breaker=Reward.id,
    default_sort=(SortKey("rewardIssuedAt", Order.DESC),),
    shown=frozenset({"linkedSchemaSlug", "linkedSchemaRecordId", "reward", "milestone"}),
)


async def _listed(
    session: AsyncSession, stmt: Select[Any], listing: ListQuery, fields: RecordFields
) -> tuple[list[Any], int | None]:
    rows = await repository.rows(session, page_statement(stmt, listing, fields))
    total = (
        await repository.counted(session, count_statement(stmt, listing, fields))
        if listing.fetch_total_count
        else None
    )
    return rows, total


async def _milestones_by_definition(
    session: AsyncSession, definition_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Milestone]]:
    grouped: dict[uuid.UUID, list[Milestone]] = {one: [] for one in definition_ids}
    for milestone in await repository.milestones_of(session, definition_ids):
        grouped[milestone.definition_id].append(milestone)
    return grouped


async def definitions(session: AsyncSession, kind: Kind, listing: ListQuery, viewer: Viewer) -> RecordPage:
    stmt = select(RecordDefinition).where(RecordDefinition.kind == kind.value)
    if viewer.public:
        stmt = stmt.where(RecordDefinition.status == Status.LIVE.value)
    rows, total = await _listed(session, stmt, listing, DEFINITION_FIELDS)
    milestones = await _milestones_by_definition(session, [row.id for row in rows])
    shown = [
        definition_out(row, milestones[row.id], listing.language_code, public=viewer.public) for row in rows
    ]
    return record_page(shown, listing, total)


async def visible_definition(
    session: AsyncSession, kind: Kind, definition_id: uuid.UUID, viewer: Viewer
) -> RecordDefinition:
    row = await repository.definition(session, definition_id)
    if row is None or row.kind != kind or (viewer.public and row.status != Status.LIVE):
        raise RecordNotFound(f"No {kind.value} {definition_id}.")
    return row


async def definition(
    session: AsyncSession, kind: Kind, definition_id: uuid.UUID, viewer: Viewer, language: str | None
) -> dict[str, Any]:
    row = await visible_definition(session, kind, definition_id, viewer)
    milestones = await _milestones_by_definition(session, [row.id])
    return {"data": definition_out(row, milestones[row.id], language, public=viewer.public)}


async def milestones(session: AsyncSession, listing: ListQuery, viewer: Viewer) -> RecordPage:
    stmt = select(Milestone)
    if viewer.public:
        live = select(RecordDefinition.id).where(RecordDefinition.status == Status.LIVE.value)
        stmt = stmt.where(Milestone.status == Status.LIVE.value, Milestone.definition_id.in_(live))
    rows, total = await _listed(session, stmt, listing, MILESTONE_FIELDS)
    kinds = await _kinds(session, [row.definition_id for row in rows])
    return record_page(
        [milestone_out(row, listing.language_code, kinds[row.definition_id]) for row in rows], listing, total
    )


async def _kinds(session: AsyncSession, definition_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not definition_ids:
        return {}
    stmt = select(RecordDefinition.id, RecordDefinition.kind).where(RecordDefinition.id.in_(definition_ids))
    return {row[0]: row[1] for row in (await session.execute(stmt)).all()}


async def milestone(
    session: AsyncSession, milestone_id: uuid.UUID, viewer: Viewer, language: str | None
) -> dict[str, Any]:
    row = await repository.milestone(session, milestone_id)
    owner = await repository.definition(session, row.definition_id) if row is not None else None
    if (
        row is None
        or owner is None
        or (viewer.public and (row.status != Status.LIVE or owner.status != Status.LIVE))
    ):
        raise RecordNotFound(f"No milestone {milestone_id}.")
    return {"data": milestone_out(row, language, owner.kind)}


def _own(stmt: Select[Any], column: Any, viewer: Viewer) -> Select[Any]:
    """Staff read every member's; an end user only their own; a guest nobody's."""
    if viewer.staff:
        return stmt
    if viewer.member is None:
        return stmt.where(false())
    return stmt.where(column == viewer.member)


def progress_rows(kind: Kind, viewer: Viewer) -> Select[Any]:
    """The progress rows of `kind` the viewer may list, before the list query's filters."""
    return _own(
        select(RecordProgress).where(RecordProgress.kind == kind.value), RecordProgress.contact_id, viewer
    )


async def progress_page(session: AsyncSession, kind: Kind, listing: ListQuery, viewer: Viewer) -> RecordPage:
    rows, total = await _listed(session, progress_rows(kind, viewer), listing, PROGRESS_FIELDS[kind])
    return record_page(
        await _progress_records(session, rows, listing.language_code, clock.now()), listing, total
    )


async def _progress_records(
    session: AsyncSession, rows: list[RecordProgress], language: str | None, now: datetime
) -> list[dict[str, Any]]:
    definition_ids = {row.definition_id for row in rows}
    found = await repository.definitions(session, definition_ids)
    milestones = await _milestones_by_definition(session, list(definition_ids))
    periods = {row.id: period_of(row, found[row.definition_id]) for row in rows}
    logs = await repository.logs_in(session, set(periods.values()))
    return [
        progress_out(
            row, found[row.definition_id], milestones[row.definition_id], logs[periods[row.id]], now, language
        )
        for row in rows
    ]


async def one_progress(
    session: AsyncSession, kind: Kind, progress_id: uuid.UUID, viewer: Viewer, language: str | None
) -> dict[str, Any]:
    row = await repository.progress(session, progress_id)
    if row is None or row.kind != kind or not (viewer.staff or viewer.member == row.contact_id):
        raise RecordNotFound(f"No {kind.value}_progress {progress_id}.")
    return {"data": (await _progress_records(session, [row], language, clock.now()))[0]}


async def logs(session: AsyncSession, kind: Kind, listing: ListQuery, viewer: Viewer) -> RecordPage:
    stmt = _own(select(RecordLog).where(RecordLog.kind == kind.value), RecordLog.contact_id, viewer)
    rows, total = await _listed(session, stmt, listing, LOG_FIELDS[kind])
    return record_page([log_out(row) for row in rows], listing, total)


async def one_log(session: AsyncSession, kind: Kind, log_id: uuid.UUID, viewer: Viewer) -> dict[str, Any]:
    row = await repository.log(session, log_id)
    if row is None or row.kind != kind or not (viewer.staff or viewer.member == row.contact_id):
        raise RecordNotFound(f"No {kind.value}_log {log_id}.")
    return {"data": log_out(row)}


async def reward_log_record(session: AsyncSession, row: Reward) -> dict[str, Any]:
    found = await repository.milestones_by_id(session, [uuid.UUID(row.source_id)])
    milestone = found.get(uuid.UUID(row.source_id))
    kinds = await _kinds(session, [milestone.definition_id]) if milestone else {}
    return reward_log_out(row, milestone, kinds.get(milestone.definition_id) if milestone else None)


async def reward_logs(session: AsyncSession, listing: ListQuery, viewer: Viewer) -> RecordPage:
    stmt = _own(select(Reward).where(Reward.source_type == "milestone"), Reward.contact_id, viewer)
    rows, total = await _listed(session, stmt, listing, REWARD_LOG_FIELDS)
    return record_page([await reward_log_record(session, row) for row in rows], listing, total)


async def one_reward_log(session: AsyncSession, reward_id: uuid.UUID, viewer: Viewer) -> Reward:
    row = await repository.reward(session, reward_id)
    if row is None or not (viewer.staff or viewer.member == row.contact_id):
        raise RecordNotFound(f"No reward_log {reward_id}.")
    return row
