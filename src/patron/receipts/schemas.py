"""The wire format of receipts and purchase history (Engage's camelCase)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    model_validator,
)

from patron.kit.bodies import Body
from patron.kit.instants import in_range
from patron.kit.numbers import AS_NUMBER, Amount, Decimal4, NotBoolean, Total, described_as_a_number

MAX_LINES = 1000
MAX_PAYMENTS = 100
MAX_DISCOUNTS = 50
MAX_USED_PROMOTIONS = 100

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MatchKeyType = Literal["ContactId", "Email", "MobilePhone", "ExternalId", "MemberNumber", "CardId"]
LineType = Literal["PURCHASE", "RETURN", "ADJUSTMENT"]

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    """A date-time must be ISO text with a time of day: a bare date, time or number is refused."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE_TIME.match(value.strip()):
        raise ValueError("expected an ISO 8601 date-time such as 2026-11-22T14:05:00+01:00")
    return value.strip()


DateTime = Annotated[datetime, BeforeValidator(_date_time_text), AfterValidator(in_range)]


class Link(BaseModel):
    href: str
    method: str
    rel: str


class ContactMatch(Body):
    matchKey: Text
    matchKeyType: MatchKeyType


class PaymentMethod(Body):
    type: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    value: Amount
    description: LongText | None = None


class Discount(Body):
    value: Amount
    type: Text | None = None
    description: LongText | None = None


class ReceiptLineIn(Body):
    type: LineType
    sku: Text | None = None
    articleNumber: Text
    articleName: LongText
    articleGroup: Text | None = None
    quantity: Amount
    grossPaidPrice: Amount
    taxAmount: Amount
    taxPercent: Annotated[Decimal4, Field(ge=0, le=100), NotBoolean, AS_NUMBER]
    discounts: Annotated[list[Discount], Field(max_length=MAX_DISCOUNTS)] = []
    extraData: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _signs_follow_the_line_type(self) -> ReceiptLineIn:
        # A purchase adds to the receipt and a return takes away; adjustments go either way.
        if self.type == "PURCHASE" and (self.quantity <= 0 or self.grossPaidPrice < 0):
            raise ValueError("a PURCHASE line has a positive quantity and a grossPaidPrice of 0 or more")
        if self.type == "RETURN" and (self.quantity >= 0 or self.grossPaidPrice > 0):
            raise ValueError("a RETURN line has a negative quantity and a grossPaidPrice of 0 or less")
        return self


class UsedPromotion(Body):
    promotionId: uuid.UUID


class ReceiptIn(Body):
    uniqueReceiptId: Text
    receiptNumber: Text
    createdDate: DateTime
    storeExternalId: Text
    currency: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")
    ]
    totalGrossPrice: Amount
    exchangeRateToGroupCurrency: (
        Annotated[
            Decimal,
            Field(
                gt=0,
                max_digits=30,
                decimal_places=12,
                allow_inf_nan=False,
                json_schema_extra=described_as_a_number,
                description="A number with at most 12 decimals.",
            ),
            NotBoolean,
        ]
        | None
    ) = None
    contact: ContactMatch
    paymentMethods: Annotated[list[PaymentMethod], Field(max_length=MAX_PAYMENTS)]
    items: Annotated[list[ReceiptLineIn], Field(min_length=1, max_length=MAX_LINES)]
    usedPromotions: Annotated[list[UsedPromotion], Field(max_length=MAX_USED_PROMOTIONS)] = []
    extraData: dict[str, Any] | None = None


class ReceiptLineOut(BaseModel):
    type: LineType
    sku: str | None
    articleNumber: str
    articleName: str
    articleGroup: str | None
    quantity: Amount
    grossPaidPrice: Amount
    taxAmount: Amount
    taxPercent: Amount
    discounts: list[Discount]
    extraData: dict[str, Any] | None


class ReceiptOut(BaseModel):
    id: uuid.UUID
    uniqueReceiptId: str
    receiptNumber: str
    createdDate: str
    storeExternalId: str
    contactId: uuid.UUID
    currency: str
    totalGrossPrice: Amount
    exchangeRateToGroupCurrency: Total | None
    paymentMethods: list[PaymentMethod]
    items: list[ReceiptLineOut]
    usedPromotions: list[UsedPromotion]
    extraData: dict[str, Any] | None
    links: list[Link]


class PurchaseSummary(BaseModel):
    """A contact's purchase history at a glance: returns count against the total."""

    receiptCount: int
    totalGrossPrice: Total
    firstPurchaseOn: str | None
    lastPurchaseOn: str | None


# Engage v2 renderings: a contact's transactions as its generated clients' models have them
# (`PagedResultOfTransactionItem` of `TransactionItem`), made from the v3 receipt.


class TransactionItemV2(BaseModel):
    id: uuid.UUID
    transactionNumber: str
    createdDate: str
    storeName: str
    numberOfItems: int
    netPriceSum: Total
    localNetPriceSum: Total
    localCurrency: str
    groupCurrency: str | None
    storeType: str | None
    lineItems: list[dict[str, Any]]
    externalId: str

    @classmethod
    def of(cls, receipt: ReceiptOut) -> TransactionItemV2:
        return cls(
            id=receipt.id,
            transactionNumber=receipt.receiptNumber,
            createdDate=receipt.createdDate,
            storeName=receipt.storeExternalId,
            numberOfItems=len(receipt.items),
            netPriceSum=receipt.totalGrossPrice,
            localNetPriceSum=receipt.totalGrossPrice,
            localCurrency=receipt.currency,
            groupCurrency=None,
            storeType=None,
            lineItems=[line.model_dump(mode="json") for line in receipt.items],
            externalId=receipt.uniqueReceiptId,
        )


class TransactionsPageV2(BaseModel):
    items: list[TransactionItemV2]
    totalCount: int
    offset: int
    count: int
