"""Challenges, streaks and their milestones: created, read, changed and deleted by admins.

A live definition that members have progress on keeps its aggregation and target (a change
would make their progress mean something else), and is not deleted: pause it instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.kit.zones import zone_named
from patron.models import Milestone, RecordDefinition
from patron.records import display, repository
from patron.records.errors import DefinitionHasProgress, MilestoneRewarded, RecordNotFound
from patron.records.schemas import (
    DefinitionChanges,
    Kind,
    MilestoneChanges,
    NewDefinition,
    NewMilestone,
    Status,
)
from patron.rewards import service as rewards

MEMBER_ZONE = "member"
# What changes the meaning of the progress members already have.
_MEANING = ("completionTargetValue", "aggregationMethod", "aggregationPeriod", "aggregationTargetValue")


def check_zone(zone: str | None) -> None:
    if zone is None or zone == MEMBER_ZONE:
        return
    if zone_named(zone) is None:
        raise BadRequest(
            f'timezone {zone!r} is not an IANA time zone (or "member").',
            details=[{"field": "timezone", "message": "unknown time zone"}],
        )


def _eud_values(body: DefinitionChanges | NewDefinition) -> dict[str, str]:
    values = {
        name: value
        for name, value in body.model_dump(include=set(display.DEFINITION_FIELDS)).items()
        if value is not None
    }
    display.check(values)
    return values


async def get(session: AsyncSession, kind: Kind, definition_id: uuid.UUID) -> RecordDefinition:
    found = await repository.definition(session, definition_id)
    if found is None or found.kind != kind:
        raise RecordNotFound(f"No {kind.value} {definition_id}.")
    return found


async def create(
    session: AsyncSession, kind: Kind, body: NewDefinition, language: str | None
) -> RecordDefinition:
    check_zone(body.timezone)
    if kind is Kind.STREAK and body.aggregationTargetValue is None:
        raise BadRequest(
            "A streak needs aggregationTargetValue: the total a period must reach to count.",
            details=[{"field": "aggregationTargetValue", "message": "required for a streak"}],
        )
    now = clock.now()
    values = _eud_values(body)
    row = RecordDefinition(
        id=ids.new_id(),
        kind=kind.value,
        name=body.name,
        description=body.description,
        status=body.status.value,
        completion_target=body.completionTargetValue,
        aggregation_method=body.aggregationMethod.value,
        aggregation_period=body.aggregationPeriod.value,
        aggregation_target=body.aggregationTargetValue if kind is Kind.STREAK else None,
        timezone=body.timezone,
        eud=values if language is None else {},
        eud_translations={language: values} if language is not None else {},
        created_on=now,
        modified_on=now,
    )
    repository.add(session, row)
    await session.flush()
    return row


async def change(
    session: AsyncSession, kind: Kind, definition_id: uuid.UUID, body: DefinitionChanges, language: str | None
) -> RecordDefinition:
    row = await get(session, kind, definition_id)
    sent = body.model_fields_set
    check_zone(body.timezone)
    meaning = [name for name in _MEANING if name in sent]
    if meaning and row.status == Status.LIVE and await repository.has_progress(session, row.id):
        raise DefinitionHasProgress(
            f"This live {kind.value} has member progress, so {', '.join(meaning)} cannot change: "
            "that progress would mean something else. Create a new one instead."
        )
    if "name" in sent and body.name is not None:
        row.name = body.name
    if "description" in sent and body.description is not None:
        row.description = body.description
    if body.status is not None:
        row.status = body.status.value
    if body.completionTargetValue is not None:
        row.completion_target = body.completionTargetValue
    if body.aggregationMethod is not None:
        row.aggregation_method = body.aggregationMethod.value
    if body.aggregationPeriod is not None:
        row.aggregation_period = body.aggregationPeriod.value
    if body.aggregationTargetValue is not None and kind is Kind.STREAK:
        row.aggregation_target = body.aggregationTargetValue
    if "timezone" in sent:
        row.timezone = body.timezone
    values = _eud_values(body)
    if values:
        if language is None:
            row.eud = {**row.eud, **values}
        else:
            row.eud_translations = {
                **row.eud_translations,
                language: {**row.eud_translations.get(language, {}), **values},
            }
    row.modified_on = clock.now()
    await session.flush()
    return row


async def remove(session: AsyncSession, kind: Kind, definition_id: uuid.UUID) -> None:
    row = await get(session, kind, definition_id)
    if await repository.has_progress(session, row.id):
        raise DefinitionHasProgress(
            f"Members have progress on this {kind.value}; it cannot be deleted. Pause it instead."
        )
    await repository.delete_definition(session, row)


async def milestones_of(session: AsyncSession, definition_ids: Sequence[uuid.UUID]) -> Sequence[Milestone]:
    return await repository.milestones_of(session, definition_ids)


async def get_milestone(session: AsyncSession, milestone_id: uuid.UUID) -> Milestone:
    found = await repository.milestone(session, milestone_id)
    if found is None:
        raise RecordNotFound(f"No milestone {milestone_id}.")
    return found


def _reward(reward: Any) -> dict[str, Any]:
    return dict(reward.model_dump(mode="json", exclude_none=True))


async def create_milestone(session: AsyncSession, body: NewMilestone, language: str | None) -> Milestone:
    definition = await get(session, Kind(body.linkedSchemaSlug.value), body.linkedSchemaRecordId)
    await rewards.check_issuable(session, [_reward(body.reward)])
    values = {}
    if body.eudMilestoneRewardInstructionMessage is not None:
        values["eudMilestoneRewardInstructionMessage"] = body.eudMilestoneRewardInstructionMessage
    display.check(values)
    now = clock.now()
    row = Milestone(
        id=ids.new_id(),
        definition_id=definition.id,
        name=body.name,
        description=body.description,
        target=body.milestoneTargetValue,
        status=body.status.value,
        reward=_reward(body.reward),
        eud=values if language is None else {},
        eud_translations={language: values} if language is not None and values else {},
        created_on=now,
        modified_on=now,
    )
    repository.add(session, row)
    await session.flush()
    return row


async def change_milestone(
    session: AsyncSession, milestone_id: uuid.UUID, body: MilestoneChanges, language: str | None
) -> Milestone:
    row = await get_milestone(session, milestone_id)
    if body.milestoneTargetValue is not None and body.milestoneTargetValue != row.target:
        if await repository.milestone_rewarded(session, row.id):
            raise MilestoneRewarded("Rewards were issued at this milestone's target; it cannot move.")
        row.target = body.milestoneTargetValue
    if body.name is not None:
        row.name = body.name
    if body.description is not None:
        row.description = body.description
    if body.status is not None:
        row.status = body.status.value
    if body.reward is not None:
        await rewards.check_issuable(session, [_reward(body.reward)])
        row.reward = _reward(body.reward)
    if body.eudMilestoneRewardInstructionMessage is not None:
        values = {"eudMilestoneRewardInstructionMessage": body.eudMilestoneRewardInstructionMessage}
        display.check(values)
        if language is None:
            row.eud = {**row.eud, **values}
        else:
            row.eud_translations = {
                **row.eud_translations,
                language: {**row.eud_translations.get(language, {}), **values},
            }
    row.modified_on = clock.now()
    await session.flush()
    return row


async def remove_milestone(session: AsyncSession, milestone_id: uuid.UUID) -> None:
    row = await get_milestone(session, milestone_id)
    if await repository.milestone_rewarded(session, row.id):
        raise MilestoneRewarded("Rewards were issued for this milestone; pause it instead of deleting it.")
    await repository.delete_milestone(session, row)


async def owner_kind(session: AsyncSession, milestone: Milestone) -> str:
    owner = await repository.definition(session, milestone.definition_id)
    return owner.kind if owner is not None else Kind.CHALLENGE.value
