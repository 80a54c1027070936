"""The wire format of Engage challenges (camelCase; numeric enums, names accepted on input)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    model_validator,
)

from patron.challenges.statuses import AssignOn, ChallengeStatus, DefinitionStatus
from patron.kit.bodies import Body
from patron.kit.enum_names import any_case, by_name
from patron.kit.instants import Instant
from patron.kit.links import ItemLink, LinkV2
from patron.kit.numbers import NotBoolean, PositiveAmount, not_a_boolean
from patron.rewards.schemas import RewardSpec


def _enum_by_name(enum: type[Any]) -> BeforeValidator:
    names = {member.name.replace("_", "").lower(): member.value for member in enum}

    def parse(value: Any) -> Any:
        not_a_boolean(value)
        if isinstance(value, str) and not value.isdigit():
            return names.get(value.replace("_", "").lower(), value)
        return value

    return BeforeValidator(parse)


AssignOnField = Annotated[AssignOn, _enum_by_name(AssignOn)]
StatusField = Annotated[DefinitionStatus, _enum_by_name(DefinitionStatus)]
Article = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ChallengeFilter(StrEnum):
    ALL = "All"
    ACTIVE = "Active"
    COMPLETED = "Completed"
    NOT_COMPLETED = "NotCompleted"


class DefinitionStatusFilter(StrEnum):
    ALL = "All"
    ACTIVE = "Active"
    DRAFT = "Draft"
    SCHEDULED = "Scheduled"
    ENDED = "Ended"


# As query parameters: `filter=completed`, `status=active` read as the names.
ChallengeFilterQuery = Annotated[ChallengeFilter, any_case(ChallengeFilter)]
DefinitionStatusQuery = Annotated[DefinitionStatusFilter, any_case(DefinitionStatusFilter)]


class ArticleFilter(Body):
    articleNumbers: Annotated[list[Article], Field(max_length=1000)] = []
    groups: Annotated[list[Article], Field(max_length=1000)] = []
    brands: Annotated[list[Article], Field(max_length=1000)] = []


class CheckpointReward(Body):
    atCheckpoint: Annotated[int, Field(ge=1, le=1_000_000), NotBoolean]
    reward: RewardSpec


class DefinitionRewards(Body):
    onCompletion: RewardSpec | None = None
    checkpoints: Annotated[list[CheckpointReward], Field(max_length=100)] = []


class DefinitionFields(Body):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None
    imageUrl: Annotated[str, StringConstraints(max_length=2048)] | None = None
    requiredNumberOfCheckpoints: Annotated[int, Field(ge=1, le=1_000_000), NotBoolean]
    expirationMonths: Annotated[int, Field(ge=1, le=1200), NotBoolean] | None = None
    isContactConsentRequired: bool = False
    checkpointAssignOn: AssignOnField = AssignOn.NONE
    checkpointAssignOnAmount: PositiveAmount | None = None
    articleFilter: ArticleFilter | None = None
    isScheduled: bool = False
    scheduledFrom: Instant | None = None
    scheduledTo: Instant | None = None
    isRecurring: bool = False
    rewards: DefinitionRewards = DefinitionRewards()
    # On create only: Draft (the default) or Active.
    status: StatusField | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DefinitionFields:
        if self.isScheduled and self.scheduledFrom is None and self.scheduledTo is None:
            raise ValueError("a scheduled definition needs scheduledFrom or scheduledTo")
        if self.scheduledFrom and self.scheduledTo and self.scheduledTo <= self.scheduledFrom:
            raise ValueError("scheduledTo must be after scheduledFrom")
        for item in self.rewards.checkpoints:
            if item.atCheckpoint > self.requiredNumberOfCheckpoints:
                raise ValueError("atCheckpoint cannot exceed requiredNumberOfCheckpoints")
        if self.status not in (None, DefinitionStatus.DRAFT, DefinitionStatus.ACTIVE):
            raise ValueError("a definition is created as Draft or Active")
        return self


class DefinitionOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    imageUrl: str | None
    requiredNumberOfCheckpoints: int
    expirationMonths: int | None
    isContactConsentRequired: bool
    checkpointAssignOn: int
    checkpointAssignOnAmount: Decimal | None
    articleFilter: ArticleFilter | None
    isScheduled: bool
    scheduledFrom: str | None
    scheduledTo: str | None
    isRecurring: bool
    status: int
    rewards: DefinitionRewards
    createdBy: str | None
    createdOn: str | None
    modifiedBy: str | None
    modifiedOn: str | None
    links: list[ItemLink]


class ChallengeOut(BaseModel):
    id: uuid.UUID
    challengeId: uuid.UUID
    contactId: uuid.UUID
    challengeStart: str | None
    challengeEnd: str | None
    challengeCompletedOn: str | None
    completedCheckpoints: int
    requiredCheckpoints: int
    isActive: bool
    isChallengeCompleted: bool
    latestCheckpointAddedOn: str | None
    imageUrl: str | None
    status: int
    links: list[ItemLink]


# Engage v2 renderings: exactly the fields of its generated clients' models, enums by name
# (`ChallengeDefinitionModel`, `ChallengeAssignmentModel`). The v3 shapes above are the source.


class DefinitionV2(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    requiredNumberOfCheckpoints: int
    expirationMonths: int | None
    isContactConsentRequired: bool
    checkpointAssignOn: Annotated[str, by_name(AssignOn)]
    checkpointAssignOnAmount: Decimal | None
    isScheduled: bool
    scheduledFrom: str | None
    scheduledTo: str | None
    status: Annotated[str, by_name(DefinitionStatus)]
    createdBy: str | None
    createdOn: str | None
    modifiedBy: str | None
    modifiedOn: str | None
    links: list[LinkV2]


class ChallengeV2(BaseModel):
    id: uuid.UUID
    challengeId: uuid.UUID
    contactId: uuid.UUID
    challengeStart: str | None
    challengeEnd: str | None
    challengeCompletedOn: str | None
    completedCheckpoints: int
    requiredCheckpoints: int
    isActive: bool
    isChallengeCompleted: bool
    latestCheckpointAddedOn: str | None
    imageUrl: str | None
    status: Annotated[str, by_name(ChallengeStatus)]
    links: list[LinkV2]


class CheckpointRow(Body):
    definitionId: uuid.UUID
    contactId: uuid.UUID
    checkpointAmount: Annotated[int, Field(ge=-(2**31), le=2**31 - 1), NotBoolean]


class CheckpointsResult(BaseModel):
    missingContactIds: list[uuid.UUID]
    missingDefinitionIds: list[uuid.UUID]
    notAccepted: list[CheckpointRow]
