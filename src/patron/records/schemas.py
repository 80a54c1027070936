"""What the record dialect's clients send: challenge, streak and milestone definitions (to
create, or to change with PATCH) and challenge or streak logs."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from patron.kit.bodies import Body
from patron.kit.instants import Instant
from patron.kit.numbers import Amount, PositiveAmount
from patron.rewards.schemas import RewardSpec


class Kind(StrEnum):
    CHALLENGE = "challenge"
    STREAK = "streak"


class Status(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"


class Method(StrEnum):
    SUM = "sum"
    COUNT = "count"


class Period(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ProgressStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    BROKEN = "broken"


Name = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Description = Annotated[str, StringConstraints(max_length=1024)]
Zone = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class EudFields(Body):
    """The end-user display fields of a challenge or streak (seed: gamified-challenges.txt);
    unset ones show their default."""

    eudTitle: Annotated[str, StringConstraints(max_length=48)] | None = None
    eudDescription: Annotated[str, StringConstraints(max_length=1024)] | None = None
    eudInProgressLabel: Annotated[str, StringConstraints(max_length=32)] | None = None
    eudCompletedLabel: Annotated[str, StringConstraints(max_length=32)] | None = None
    eudNotStartedLabel: Annotated[str, StringConstraints(max_length=32)] | None = None
    eudFailedLabel: Annotated[str, StringConstraints(max_length=32)] | None = None
    eudViewDetailsButtonText: Annotated[str, StringConstraints(max_length=32)] | None = None
    eudCompletedChallengeMessage: Annotated[str, StringConstraints(max_length=256)] | None = None
    eudFailedChallengeMessage: Annotated[str, StringConstraints(max_length=256)] | None = None
    eudMilestoneNextToBeAchievedMessage: Annotated[str, StringConstraints(max_length=256)] | None = None


class DefinitionChanges(EudFields):
    """A PATCH of a challenge or streak: only what is sent changes."""

    name: Name | None = None
    description: Description | None = None
    status: Status | None = None
    completionTargetValue: PositiveAmount | None = None
    aggregationMethod: Method | None = None
    aggregationPeriod: Period | None = None
    aggregationTargetValue: PositiveAmount | None = None
    timezone: Zone | None = None


class NewDefinition(EudFields):
    name: Name
    description: Description
    status: Status
    completionTargetValue: PositiveAmount
    aggregationMethod: Method = Method.SUM
    aggregationPeriod: Period = Period.DAILY
    # A streak's total per period for that period to count; ignored for a challenge.
    aggregationTargetValue: PositiveAmount | None = None
    timezone: Zone | None = None


class LinkedSlug(StrEnum):
    CHALLENGE = "challenge"
    STREAK = "streak"


class MilestoneChanges(Body):
    name: Name | None = None
    description: Description | None = None
    milestoneTargetValue: PositiveAmount | None = None
    status: Status | None = None
    reward: RewardSpec | None = None
    eudMilestoneRewardInstructionMessage: Annotated[str, StringConstraints(max_length=256)] | None = None


class NewMilestone(Body):
    linkedSchemaSlug: LinkedSlug
    linkedSchemaRecordId: uuid.UUID
    name: Name
    description: Description = ""
    milestoneTargetValue: PositiveAmount
    status: Status = Status.LIVE
    reward: RewardSpec
    eudMilestoneRewardInstructionMessage: Annotated[str, StringConstraints(max_length=256)] | None = None


Owner = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class NewLog(Body):
    """A challenge log (`challengeId`) or streak log (`streakId`): who did what, when."""

    challengeId: uuid.UUID | None = None
    streakId: uuid.UUID | None = None
    ownedById: Owner
    activityAt: Instant | None = None
    activityId: Annotated[str, StringConstraints(max_length=256)] | None = None
    uniqueIdentifier: Identifier
    activityValue: Amount | None = None


class RewardLogChanges(Body):
    couponCode: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    rewardIssuedAt: Instant | None = None
    rewardExpiryAt: Instant | None = None


ZERO = Decimal(0)
