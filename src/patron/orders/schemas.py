"""The wire format of orders, carts and product views (Engage's camelCase).

Shops send what their platform has: enum values in any case (`Purchase`, `contactId`), numbers
as JSON numbers or numeric strings, and, on the tracking endpoints, PascalCase keys
(`CartReference`, `Items[].Sku`). Each is read here, once, into the one shape below.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from patron.kit.bodies import Body
from patron.kit.enum_names import any_case
from patron.kit.instants import Instant
from patron.kit.numbers import Amount

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Extra = Annotated[dict[str, Any], Field(max_length=100)]
MAX_ITEMS = 1000


class MatchKeyType(StrEnum):
    EMAIL = "Email"
    MOBILE_PHONE = "MobilePhone"
    CARD_ID = "CardId"
    EXTERNAL_ID = "ExternalId"
    MEMBER_NUMBER = "MemberNumber"
    CONTACT_ID = "ContactId"
    MEMBER_NUMBER_WITH_CARD_NUMBER_AS_FALLBACK = "MemberNumberWithCardNumberAsFallback"


class ItemType(StrEnum):
    PURCHASE = "PURCHASE"
    RETURN = "RETURN"


def _camel_keys(value: Any) -> Any:
    """PascalCase keys (`CartReference`) read as camelCase (`cartReference`), nested ones too."""
    if isinstance(value, dict):
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): _camel_keys(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_camel_keys(item) for item in value]
    return value


class AnyCaseKeys(Body):
    """A tracking body: keys in camelCase or PascalCase."""

    @model_validator(mode="before")
    @classmethod
    def _read_pascal_case(cls, data: Any) -> Any:
        return _camel_keys(data)


class OrderContact(Body):
    matchKey: Text
    matchKeyType: Annotated[MatchKeyType, any_case(MatchKeyType)]


class Fee(Body):
    value: Amount | None = None
    tax: Amount | None = None
    taxPercent: Amount | None = None


class TaxDetail(Body):
    description: LongText | None = None
    value: Amount | None = None
    percent: Amount | None = None
    totalIncludingTax: Amount | None = None
    totalExcludingTax: Amount | None = None


class OrderItemDiscount(Body):
    value: Amount
    type: Text | None = None
    description: LongText | None = None
    extraData: Extra | None = None


class OrderItem(Body):
    type: Annotated[ItemType, any_case(ItemType)] = ItemType.PURCHASE
    sku: Text
    quantity: Amount
    grossPaidPrice: Amount | None = None
    description: LongText | None = None
    grossPaidPricePerUnit: Amount | None = None
    taxAmount: Amount | None = None
    taxPercent: Amount | None = None
    imageUrl: LongText | None = None
    targetUrl: LongText | None = None
    extraData: Extra | None = None
    totalDiscount: Amount | None = None
    originalPrice: Amount | None = None
    originalPricePerUnit: Amount | None = None
    discounts: Annotated[list[OrderItemDiscount], Field(max_length=50)] = []
    discounted: bool | None = None


class OrderPaymentMethod(Body):
    type: Text
    value: Amount
    description: LongText | None = None
    extraData: Extra | None = None


class OrderIn(Body):
    contact: OrderContact
    orderNumber: Text
    orderStatus: Text
    paymentStatus: Text | None = None
    createdDate: Instant
    storeId: Text | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True)] | None = None
    totalGrossPrice: Amount | None = None
    items: Annotated[list[OrderItem], Field(max_length=MAX_ITEMS)] = []
    language: Annotated[str, StringConstraints(max_length=20)] | None = None
    shippingDate: Instant | None = None
    statusChangedDate: Instant | None = None
    exchangeRateToGroupCurrency: Amount | None = None
    extraData: Extra | None = None
    totalTax: Amount | None = None
    taxDetails: Annotated[list[TaxDetail], Field(max_length=50)] = []
    paymentMethods: Annotated[list[OrderPaymentMethod], Field(max_length=50)] = []
    freightFee: Fee | None = None
    handlingFee: Fee | None = None
    totalRoundOff: Fee | None = None
    totalDiscounts: Amount | None = None
    totalOriginalPrice: Amount | None = None
    totalItemsPrice: Amount | None = None
    totalNetPrice: Amount | None = None
    anyReturnItems: bool | None = None


class OrderAccepted(BaseModel):
    """What v3 answers: the stored order's id and whether the post created or replaced it."""

    statusCode: str
    id: uuid.UUID
    orderNumber: str
    contactId: uuid.UUID
    created: bool


class OrderAcceptedV2(BaseModel):
    """Its clients' `StatusCodeResult`."""

    statusCode: str


class OrderOut(BaseModel):
    """A stored order: its id and contact, and the order as it was last posted."""

    id: uuid.UUID
    contactId: uuid.UUID
    orderNumber: str
    order: dict[str, Any]
    receivedOn: str
    modifiedOn: str


class CartItem(AnyCaseKeys):
    sku: Text
    quantity: Amount


class CartIn(AnyCaseKeys):
    cartReference: Text
    contactId: uuid.UUID
    time: Instant | None = None
    language: Annotated[str, StringConstraints(max_length=20)] | None = None
    url: LongText | None = None
    items: Annotated[list[CartItem], Field(max_length=MAX_ITEMS)] = []


class Utm(AnyCaseKeys):
    key: Text
    value: LongText


class ProductViewIn(AnyCaseKeys):
    itemId: Text
    contactId: uuid.UUID
    category: Annotated[str, StringConstraints(max_length=500)] | None = None
    time: Instant | None = None
    sessionId: Text | None = None
    newSession: bool | None = None
    language: Annotated[str, StringConstraints(max_length=20)] | None = None
    url: LongText | None = None
    externalReferrer: LongText | None = None
    utm: Annotated[list[Utm], Field(max_length=50)] = []


class TrackingAccepted(BaseModel):
    """Its clients' `OkResult`: an answer with nothing to say but that it was taken."""

    request: dict[str, Any] = Field(default_factory=dict)
