"""The wire format of multichannel promotions and their assignments (Engage's camelCase)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    JsonValue,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from patron.kit.bodies import Body
from patron.kit.instants import Instant, date_in_range
from patron.kit.numbers import AMOUNT_LIMIT, NotBoolean

ChannelType = Literal["POS", "ECOM", "OTHER"]
ValueType = Literal["PERCENT", "MONEY", "EXTERNALOFFER", "MANUAL"]
UnitName = Literal["Days", "Weeks", "Months", "Years"]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = TypeAdapter(Instant)


def _date_only(value: Any) -> Any:
    """Creation takes calendar days only: a time of day is refused, not silently dropped."""
    if isinstance(value, str) and not _DATE_ONLY.match(value.strip()):
        raise ValueError("give the date only, as YYYY-MM-DD (times of day cannot be used)")
    return value.strip() if isinstance(value, str) else value


def _date_or_instant(value: Any) -> Any:
    """Updates also take the instants a read returns; the service reads their local date."""
    if isinstance(value, str) and not _DATE_ONLY.match(value.strip()):
        return _INSTANT.validate_python(value)
    return value


def _day_in_range(value: date | datetime) -> date | datetime:
    return value if isinstance(value, datetime) else date_in_range(value)


CalendarDate = Annotated[date, BeforeValidator(_date_only), AfterValidator(date_in_range)]
DateOrInstant = Annotated[date | datetime, BeforeValidator(_date_or_instant), AfterValidator(_day_in_range)]


class AssignedValidity(Body):
    unit: UnitName
    amount: Annotated[int, Field(ge=1, le=100_000), NotBoolean]


class NewValidity(Body):
    """Creation: a start date and either an end date or an assigned validity, not both."""

    startDate: CalendarDate
    endDate: CalendarDate | None = None
    assignedValidity: AssignedValidity | None = None

    @model_validator(mode="after")
    def _one_form(self) -> NewValidity:
        if (self.endDate is None) == (self.assignedValidity is None):
            raise ValueError("give either endDate or assignedValidity, not both")
        return self


class ValidityChange(Body):
    """Updates: Engage's documented examples send instants and may carry both limits."""

    startDate: DateOrInstant
    endDate: DateOrInstant | None = None
    assignedValidity: AssignedValidity | None = None

    @model_validator(mode="after")
    def _some_limit(self) -> ValidityChange:
        if self.endDate is None and self.assignedValidity is None:
            raise ValueError("give endDate, assignedValidity or both")
        return self


class Presentation(Body):
    heading: Annotated[str, StringConstraints(max_length=500)] | None = None
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    link: Annotated[str, StringConstraints(max_length=2000)] | None = None
    imageUrl: Annotated[str, StringConstraints(max_length=2000)] | None = None


def _number(value: Any) -> Decimal:
    # A JSON number or a numeric string, as everywhere in the Engage dialect; never a boolean.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError("must be a number")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not number.is_finite():
        raise ValueError("must be a number")
    return number


def wire_number(number: Decimal) -> int | float:
    """A JSON number as Engage documents it: 10, not "10" or 10.0."""
    return int(number) if number == number.to_integral_value() else float(number)


class RedemptionChannel(Body):
    """Where a promotion can be used and what it is worth there; `value` depends on `valueType`."""

    type: ChannelType
    valueType: ValueType
    value: JsonValue = None
    instruction: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @model_validator(mode="after")
    def _value_shape(self) -> RedemptionChannel:
        self.value = _checked_value(self.type, self.valueType, self.value, self.instruction)
        return self


def _checked_value(channel: str, value_type: str, value: Any, instruction: str | None) -> Any:
    if value_type == "PERCENT":
        percent = _number(value)
        if not 1 <= percent <= 100:
            raise ValueError("a PERCENT value is a number from 1 to 100")
        return wire_number(percent)
    if value_type == "MONEY":
        if not isinstance(value, dict) or set(value) != {"currency", "amount"}:
            raise ValueError('a MONEY value is {"currency": "EUR", "amount": 10}')
        currency = value["currency"]
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
            raise ValueError("currency is a three-letter ISO 4217 code")
        amount = _number(value["amount"])
        if amount <= 0 or amount.as_tuple().exponent < -4 or amount >= AMOUNT_LIMIT:  # type: ignore[operator]
            raise ValueError("amount is a positive number with at most 4 decimals")
        return {"currency": currency.upper(), "amount": str(amount)}
    if value_type == "EXTERNALOFFER":
        if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
            raise ValueError("an EXTERNALOFFER value is the external promotion code (1-200 characters)")
        return value.strip()
    # MANUAL: the instruction for store staff, so only at the till.
    if channel != "POS":
        raise ValueError("MANUAL promotions can only be used in store (type POS)")
    if value is None and instruction:
        return None
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 1000:
        raise ValueError("a MANUAL value is the instruction text (or give instruction)")
    return value.strip()


Channels = Annotated[list[RedemptionChannel], Field(min_length=1, max_length=3)]


def _distinct_channels(channels: list[RedemptionChannel]) -> None:
    types = [channel.type for channel in channels]
    if len(types) != len(set(types)):
        raise ValueError("each redemption channel type may appear once")


class NewPromotion(Body):
    externalId: Text200 | None = None
    name: Text200
    validity: NewValidity
    presentation: Presentation | None = None
    redemptionChannels: Channels

    @model_validator(mode="after")
    def _channels(self) -> NewPromotion:
        _distinct_channels(self.redemptionChannels)
        return self


class PromotionChange(Body):
    """A whole update; `id` and `status` of a read-back body are accepted and ignored."""

    id: uuid.UUID | None = None
    status: str | None = None
    externalId: Text200 | None = None
    name: Text200
    validity: ValidityChange
    presentation: Presentation | None = None
    redemptionChannels: Channels

    @model_validator(mode="after")
    def _channels(self) -> PromotionChange:
        _distinct_channels(self.redemptionChannels)
        return self


class ValidityOut(BaseModel):
    startDate: str
    endDate: str | None
    assignedValidity: AssignedValidity | None


class ChannelOut(BaseModel):
    type: ChannelType
    valueType: ValueType
    value: JsonValue
    instruction: str | None


class PromotionOut(BaseModel):
    id: uuid.UUID
    status: Literal["Draft", "Scheduled", "Active", "Ended"]
    externalId: str | None
    name: str
    validity: ValidityOut
    presentation: Presentation
    redemptionChannels: list[ChannelOut]


# Engage v2 renderings (its generated clients' `MultichannelPromotionModel`): the presentation
# has no `imageUrl`.


class PresentationV2(BaseModel):
    heading: str | None
    description: str | None
    link: str | None


class PromotionV2(BaseModel):
    id: uuid.UUID
    status: Literal["Draft", "Scheduled", "Active", "Ended"]
    externalId: str | None
    name: str
    validity: ValidityOut
    presentation: PresentationV2
    redemptionChannels: list[ChannelOut]


class StatusCodeV2(BaseModel):
    """What v2 clients read after a delete (their `StatusCodeResult`)."""

    statusCode: str


class AssignmentRequest(Body):
    """Ids arrive as any JSON so a malformed one gets its documented key, not a generic 400."""

    contactId: JsonValue = None
    promotionId: JsonValue = None


class AssignmentOut(BaseModel):
    id: uuid.UUID
    promotionId: uuid.UUID
    externalId: str | None
    type: Literal["Multichannel"] = "Multichannel"
    name: str
    expiresOn: str | None
    heading: str | None
    description: str | None
    redeemed: bool
    redeemedOn: str | None
    imageUrl: str | None
    link: str | None
    redemptionChannels: list[ChannelOut]


class RedeemRequest(Body):
    """`contactId` is optional: when sent, the assignment must belong to that contact."""

    redemptionChannel: JsonValue = None
    contactId: JsonValue = None
