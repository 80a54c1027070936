"""The campaigns dialect's wire format: snake_case, prefixed ids (API.md §3)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from patron.campaigns.conditions import Operator
from patron.campaigns.rules import ActionType, Role
from patron.kit.bodies import Body
from patron.kit.instants import Instant
from patron.kit.numbers import AS_NUMBER, Decimal4, NotBoolean

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
EventName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
PropertyPath = Annotated[str, StringConstraints(min_length=1, max_length=128)]
# A customer's source id is its contact's externalId.
SourceId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ReferralCodeText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{3,64}$")]
# Targets and amounts stay well inside what a point account and NUMERIC(18, 4) hold.
Target = Annotated[Decimal4, Field(gt=0, le=Decimal("1e12")), NotBoolean, AS_NUMBER]
Amount = Annotated[Decimal4, Field(gt=0, le=Decimal("1e12")), NotBoolean, AS_NUMBER]
# Up to ten years, in seconds.
Duration = Annotated[int, Field(ge=1, le=10 * 366 * 86400), NotBoolean]
Metadata = Annotated[dict[str, Any], Field(max_length=200)]
Status = Literal["draft", "active", "paused", "ended"]
CampaignType = Literal["loyalty", "referral"]
# A number is written as an integer when it is one (500, not 500.0), as the seed shows.
Number = int | float


def plain_number(value: Decimal) -> Number:
    return int(value) if value == value.to_integral_value() else float(value)


class ConditionIn(Body):
    property: PropertyPath
    op: Operator
    value: Annotated[str, StringConstraints(max_length=1000)] | float | bool | list[float]

    @model_validator(mode="after")
    def _value_fits_the_operator(self) -> Self:
        if self.op is Operator.BETWEEN:
            if not isinstance(self.value, list) or len(self.value) != 2 or self.value[0] > self.value[1]:
                raise ValueError("between takes [low, high] with low <= high")
        elif isinstance(self.value, list):
            raise ValueError(f"{self.op.value} takes one value, not a list")
        elif self.op in (Operator.GT, Operator.GTE, Operator.LT, Operator.LTE) and (
            isinstance(self.value, bool) or not isinstance(self.value, int | float)
        ):
            raise ValueError(f"{self.op.value} compares numbers; value must be a number")
        return self


class ActionIn(Body):
    event_name: EventName
    role: Role | None = None
    aggregation: Literal["count", "sum"] = "count"
    property: PropertyPath | None = None
    target: Target = Decimal(1)
    conditions: Annotated[list[ConditionIn], Field(max_length=20)] = []

    @model_validator(mode="after")
    def _sum_names_its_property(self) -> Self:
        if self.aggregation == "sum" and not self.property:
            raise ValueError("a sum adds up a metadata property: give property")
        return self


class PointsRewardIn(Body):
    type: Literal["points"]
    amount: Amount
    # The point definition credited; the deployment's default when not given.
    definition_id: Annotated[int, Field(ge=1, le=2**62), NotBoolean] | None = None


class CouponRewardIn(Body):
    type: Literal["coupon"]
    code_prefix: Annotated[str, Field(max_length=20, pattern=r"^[A-Za-z0-9_-]*$")] = ""
    valid_days: Annotated[int, Field(ge=1, le=3650), NotBoolean] | None = None


class PromotionRewardIn(Body):
    type: Literal["promotion"]
    promotion_id: uuid.UUID


RewardIn = Annotated[PointsRewardIn | CouponRewardIn | PromotionRewardIn, Field(discriminator="type")]


class RuleIn(Body):
    # Naming an existing rule keeps it (unchanged, or changed while nobody has progress on it).
    rule_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    name: Name
    action_type: ActionType = ActionType.RTA
    time_duration: Duration | None = None
    reward: RewardIn
    actions: Annotated[list[ActionIn], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _roles_fit_the_action_type(self) -> Self:
        roles = [action.role for action in self.actions]
        if self.action_type is ActionType.RTA:
            if any(role is not None for role in roles):
                raise ValueError("RTA actions have no role; benchmark and trigger are for AWT and IWT")
            if self.time_duration is not None:
                raise ValueError("time_duration is for AWT and IWT rules")
            return self
        if self.time_duration is None:
            raise ValueError(f"an {self.action_type.value} rule needs time_duration (seconds)")
        if Role.BENCHMARK not in roles or Role.TRIGGER not in roles:
            raise ValueError(
                f"an {self.action_type.value} rule needs a benchmark action and a trigger action"
            )
        if None in roles:
            raise ValueError(f"every action of an {self.action_type.value} rule is a benchmark or a trigger")
        return self


Rules = Annotated[list[RuleIn], Field(min_length=1, max_length=50)]


class CampaignIn(Body):
    name: Name
    type: CampaignType = "loyalty"
    status: Status = "draft"
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    rules: Rules

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class CampaignChanges(Body):
    name: Name | None = None
    status: Status | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    rules: Rules | None = None


class ConditionOut(BaseModel):
    property: str
    op: str
    value: Any


class ActionOut(BaseModel):
    event_id: str
    event_name: str
    role: str | None
    aggregation: str
    property: str | None
    target: Number
    conditions: list[ConditionOut]


class RuleOut(BaseModel):
    rule_id: str
    rule_name: str
    action_type: str
    time_duration: int | None
    reward: dict[str, Any]
    actions: list[ActionOut]


class CampaignOut(BaseModel):
    campaign_id: str
    campaign_name: str
    campaign_type: str
    status: str
    starts_at: str | None
    ends_at: str | None
    created_at: str
    updated_at: str
    rules: list[RuleOut]


class CampaignList(BaseModel):
    data: list[CampaignOut]
    offset: int
    limit: int
    total: int


class CustomerIn(Body):
    source_id: SourceId
    metadata: Metadata | None = None
    # The customer's own code, which friends sign up with; one is drawn when not given.
    referral_code: ReferralCodeText | None = None


class CustomerOut(BaseModel):
    id: str
    source_id: str
    metadata: dict[str, Any]
    # None for a contact the dialect has not met yet (made through another dialect).
    referral_code: str | None
    referred_by: str | None
    created_at: str
    updated_at: str


class ReferralCodeCheck(BaseModel):
    valid: bool
    referral_code: str
    source_id: str
    customer_id: str


class Referral(BaseModel):
    id: str
    source_id: str
    referred_at: str | None
    # signed_up until the referred customer completes a rule of a referral campaign.
    status: Literal["signed_up", "completed"]


class ReferralList(BaseModel):
    source_id: str
    total: int
    referrals: list[Referral]


class EventIn(Body):
    event_name: EventName
    source_id: SourceId
    metadata: Metadata | None = None
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    # Epoch seconds or ISO 8601; when the event happened (now when not given).
    timestamp: Annotated[float, NotBoolean] | Annotated[str, StringConstraints(max_length=64)] | None = None


class EventOut(BaseModel):
    event_id: str
    event_name: str
    source_id: str
    customer_id: str
    timestamp: int
    status: Literal["received"]


class ActionProgressOut(BaseModel):
    event_id: str
    event_name: str
    progress: int
    trigger: bool
    status: Literal["active", "completed"]
    current: Number
    target: Number
    # AWT and IWT only (epoch seconds); left out of RTA actions, as the seed shows them.
    start_time: int | None = None
    end_time: int | None = None
    time_duration: int | None = None
    time_left: int | None = None


class RuleProgressOut(BaseModel):
    rule_id: str
    rule_name: str
    action_type: str
    actions: list[ActionProgressOut]


class CampaignProgressOut(BaseModel):
    campaign_id: str
    campaign_name: str
    campaign_type: str
    # A referral campaign only: whose progress this is (the referred customer's own, or the
    # referrer's, counting what those it referred do).
    referral_role: Literal["referee", "referrer"] | None = None
    rules: list[RuleProgressOut]


class Wallet(BaseModel):
    wallet_id: str
    wallet_name: str
    currency: str
    singular_unit_name: str
    plural_unit_name: str
    balance: Number


class WalletList(BaseModel):
    source_id: str
    wallets: list[Wallet]


class WalletTransactionIn(Body):
    type: Literal["credit", "debit"]
    points: Amount
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None


class WalletTransaction(BaseModel):
    transaction_id: str
    wallet_id: str
    type: Literal["credit", "debit"]
    points: Number
    description: str | None
    source: str | None
    created_at: str | None


class WalletTransactionList(BaseModel):
    wallet_id: str
    total: int
    offset: int
    limit: int
    transactions: list[WalletTransaction]


Money = Annotated[Decimal4, Field(ge=0, le=Decimal("1e12")), NotBoolean, AS_NUMBER]


class OrderItem(Body):
    product_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    sku: Annotated[str, StringConstraints(max_length=200)] | None = None
    name: Annotated[str, StringConstraints(max_length=256)] | None = None
    quantity: Annotated[int, Field(ge=0, le=1_000_000), NotBoolean] = 1
    original_price: Money | None = None
    selling_price: Money | None = None
    metadata: Metadata | None = None


class Order(Body):
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    status: Literal["pending", "completed", "reverted"] = "pending"
    shipping: Money | None = None
    tax: Money | None = None
    payment_mode: Annotated[str, StringConstraints(max_length=100)] | None = None
    metadata: Metadata | None = None
    items: Annotated[list[OrderItem], Field(max_length=1000)] = []
    original_amount: Money | None = None
    selling_amount: Money | None = None


class CouponDetail(Body):
    # The coupon's id (`coup_…`), or "bulk" when only the code is known.
    coupon_id: Annotated[str, StringConstraints(min_length=1, max_length=40)] = "bulk"
    coupon_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CouponRequest(Body):
    coupon_details: Annotated[list[CouponDetail], Field(min_length=1, max_length=20)]
    source_id: SourceId
    order: Order | None = None


class CouponListRequest(Body):
    source_id: SourceId
    order: Order | None = None


class CouponOut(BaseModel):
    coupon_id: str
    coupon_code: str
    status: Literal["active", "redeemed", "expired"]
    issued_at: str | None
    expires_at: str | None
    redeemed_at: str | None
    order_id: str | None
    # Whether it may be used on the order sent (or on any order, when none was).
    applicable: bool


class CouponList(BaseModel):
    source_id: str
    coupons: list[CouponOut]


class CouponVerdict(BaseModel):
    coupon_id: str
    coupon_code: str
    valid: bool
    # Why not, when it may not be used: not_found, expired, already_redeemed, not_redeemed,
    # other_order, coupon_id_mismatch.
    reason: str | None = None


class CouponCheck(BaseModel):
    source_id: str
    valid: bool
    coupons: list[CouponVerdict]


class CouponApplied(BaseModel):
    source_id: str
    type: Literal["redeem", "revert"]
    order_id: str | None
    coupons: list[CouponVerdict]
