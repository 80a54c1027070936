"""The wire format of rewards: what a definition promises, and the reward log."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from patron.kit.links import ItemLink
from patron.kit.numbers import Whole, not_a_boolean


class PromotionReward(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["promotion"]
    promotionId: uuid.UUID


class PointsReward(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["points"]
    amount: Annotated[
        Decimal,
        BeforeValidator(not_a_boolean),
        Field(gt=0, max_digits=18, decimal_places=4, allow_inf_nan=False),
    ]
    definitionId: Annotated[Whole, Field(ge=1, le=2**62)] | None = None


RewardSpec = Annotated[PromotionReward | PointsReward, Field(discriminator="type")]


class RewardSource(BaseModel):
    type: str
    id: str


class RewardOut(BaseModel):
    id: uuid.UUID
    contactId: uuid.UUID
    source: RewardSource
    threshold: str
    window: str
    reward: RewardSpec
    issuedOn: str | None
    promotionAssignmentId: str | None
    pointTransactionId: int | None
    links: list[ItemLink]
