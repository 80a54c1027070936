"""The wire format of point accounts (Engage's camelCase, integer ids)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from patron.kit.bodies import Body
from patron.kit.instants import Instant
from patron.kit.links import ItemLink
from patron.kit.numbers import AS_NUMBER, Decimal4, NotBoolean, Total

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=1024)]
# Integer ids as Engage has them; bounded so a huge number is a 400, not a database error.
IntId = Annotated[int, Field(ge=1, le=2**62), NotBoolean]
# One transaction's points: within 10^13 either way, so a balance of many still renders exactly.
Points = Annotated[Decimal4, Field(ge=Decimal("-1e13"), le=Decimal("1e13")), NotBoolean, AS_NUMBER]


class TransactionFilter(StrEnum):
    ALL = "All"
    ACTIVE = "Active"
    PENDING = "Pending"


class NewPointDefinition(Body):
    name: Name
    description: Description | None = None


class PointDefinitionOut(BaseModel):
    id: int
    name: str
    description: str | None
    links: list[ItemLink]


class PointAccountOut(BaseModel):
    id: int
    contactId: uuid.UUID
    definitionId: int
    balance: Total
    pendingPoints: Total
    balanceExpires: str | None
    links: list[ItemLink]


class PointTransactionOut(BaseModel):
    id: int
    accountId: int
    amount: Total
    type: str
    source: str | None
    description: str | None
    transactionDate: str | None
    validFrom: str | None
    validTo: str | None
    createdOn: str | None
    modifiedOn: str | None
    retailTransactionLineItemId: str | None
    links: list[ItemLink]


class NewPointTransaction(Body):
    contactId: uuid.UUID
    definitionId: IntId
    amount: Points
    timeStamp: Instant | None = None
    source: Annotated[str, StringConstraints(max_length=200)] | None = None
    description: Description | None = None
    validFrom: Instant | None = None
    validTo: Instant | None = None
    retailTransactionLineItemId: Annotated[str, StringConstraints(max_length=200)] | None = None


class PointTransactionsResult(BaseModel):
    notAccepted: list[NewPointTransaction]
    errorMessages: list[str]
    missingDefinitionIds: list[int]
    missingContactIds: list[uuid.UUID]
