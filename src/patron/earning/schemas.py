"""The wire format of earning rules (`/api/v3/point-rules`, Engage's camelCase)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from patron.kit.bodies import Body
from patron.kit.links import ItemLink
from patron.kit.numbers import AS_NUMBER, Decimal4, NotBoolean
from patron.points.schemas import IntId

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Value = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Values = Annotated[list[Value], Field(max_length=1000)]
# Points per currency unit, and a multiplier: positive, small enough that a line's points fit.
Rate = Annotated[Decimal4, Field(gt=0, le=Decimal(10000)), NotBoolean, AS_NUMBER]
MinimumTotal = Annotated[Decimal4, Field(ge=0, lt=Decimal(10) ** 14), NotBoolean, AS_NUMBER]
Weekday = Annotated[int, Field(ge=1, le=7), NotBoolean]


class ArticleFilterIn(Body):
    articleNumbers: Values = []
    groups: Values = []
    brands: Values = []


class MultiplierIn(Body):
    factor: Rate
    # Local days of the deployment's zone, both included.
    fromDate: date | None = None
    toDate: date | None = None
    # ISO weekdays: 1 Monday .. 7 Sunday.
    weekdays: Annotated[list[Weekday], Field(max_length=7)] = []

    @model_validator(mode="after")
    def _in_order(self) -> MultiplierIn:
        if self.fromDate and self.toDate and self.toDate < self.fromDate:
            raise ValueError("multiplier.toDate is before multiplier.fromDate")
        return self


class PointRuleIn(Body):
    name: Name
    definitionId: IntId
    pointsPerUnit: Rate
    articleFilter: ArticleFilterIn | None = None
    storeExternalIds: Values = []
    multiplier: MultiplierIn | None = None
    minimumReceiptTotal: MinimumTotal | None = None
    # Points become active this many days after the purchase (until then: pendingPoints).
    pendingDays: Annotated[int, Field(ge=1, le=3650), NotBoolean] | None = None
    # Points expire this many months after the purchase.
    expiryMonths: Annotated[int, Field(ge=1, le=1200), NotBoolean] | None = None
    position: Annotated[int, Field(ge=0, le=1_000_000), NotBoolean] = 0
    isActive: bool = True


class ArticleFilterOut(BaseModel):
    articleNumbers: list[str]
    groups: list[str]
    brands: list[str]


class MultiplierOut(BaseModel):
    factor: Annotated[Decimal, AS_NUMBER]
    fromDate: date | None
    toDate: date | None
    weekdays: list[int]


class PointRuleOut(BaseModel):
    id: uuid.UUID
    name: str
    definitionId: int
    pointsPerUnit: Annotated[Decimal, AS_NUMBER]
    articleFilter: ArticleFilterOut | None
    storeExternalIds: list[str]
    multiplier: MultiplierOut | None
    minimumReceiptTotal: Annotated[Decimal, AS_NUMBER] | None
    pendingDays: int | None
    expiryMonths: int | None
    position: int
    isActive: bool
    createdOn: str | None
    modifiedOn: str | None
    links: list[ItemLink]


class TakenBackLine(BaseModel):
    """What one returned line took back of one original line's earning."""

    originalReceiptId: uuid.UUID
    linePosition: int
    ruleId: uuid.UUID
    returnedAmount: Annotated[Decimal, AS_NUMBER]
    points: Annotated[Decimal, AS_NUMBER]


class PointsTakenBack(BaseModel):
    """The points.taken_back event: a return took back points of one definition."""

    contactId: uuid.UUID
    definitionId: int
    receiptId: uuid.UUID
    # What the returned lines had earned, what the ledger took now, and what is owed instead.
    points: Annotated[Decimal, AS_NUMBER]
    debited: Annotated[Decimal, AS_NUMBER]
    owed: Annotated[Decimal, AS_NUMBER]
    lines: list[TakenBackLine]
