"""The wire format of rewards: what a definition promises, and the reward log."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from patron.kit.bodies import Body
from patron.kit.links import ItemLink
from patron.kit.numbers import NotBoolean, PositiveAmount


class PromotionReward(Body):
    type: Literal["promotion"]
    promotionId: uuid.UUID


class PointsReward(Body):
    type: Literal["points"]
    amount: PositiveAmount
    definitionId: Annotated[int, Field(ge=1, le=2**62), NotBoolean] | None = None


class CouponReward(Body):
    """A coupon code of its own for the member: `codePrefix` and a random part, valid for
    `validDays` from issue when given."""

    type: Literal["coupon"]
    codePrefix: Annotated[str, Field(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")] = ""
    validDays: Annotated[int, Field(ge=1, le=3650), NotBoolean] | None = None


RewardSpec = Annotated[PromotionReward | PointsReward | CouponReward, Field(discriminator="type")]
Reward = PromotionReward | PointsReward | CouponReward


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
    couponCode: str | None = None
    links: list[ItemLink]
