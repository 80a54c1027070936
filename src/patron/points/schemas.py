"""The wire format of point accounts (Engage's camelCase, integer ids)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from patron.kit.bodies import Body
from patron.kit.enum_names import any_case
from patron.kit.instants import Instant
from patron.kit.links import ItemLink, LinkV2
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


# As a query parameter: `filter=active` is read as `Active`.
FilterQuery = Annotated[TransactionFilter, any_case(TransactionFilter)]


class NewPointDefinition(Body):
    name: Name
    description: Description | None = None
    # Whether a return may take the balance below zero; otherwise what it cannot take is owed.
    allowNegativeBalance: bool = False


class PointDefinitionOut(BaseModel):
    id: int
    name: str
    description: str | None
    allowNegativeBalance: bool
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


# Point transactions posted to an account (Engage v3 `POST /point-transactions`): the
# client's own transactionId makes a retry harmless.


class TransactionType(StrEnum):
    ADDITION = "Addition"
    SUBTRACTION = "Subtraction"


PositivePoints = Annotated[Decimal4, Field(gt=Decimal(0), le=Decimal("1e13")), NotBoolean, AS_NUMBER]


class AccountTransaction(Body):
    accountId: IntId
    transactionId: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    transactionType: Annotated[TransactionType, any_case(TransactionType)]
    amount: PositivePoints
    description: Description | None = None
    source: Annotated[str, StringConstraints(max_length=200)] | None = None
    transactionDate: Instant | None = None
    validFrom: Instant | None = None
    validTo: Instant | None = None


class AccountTransactionOutcome(BaseModel):
    """What became of one posted transaction: `Added`, `AlreadyAdded` (its transactionId was
    seen on that account before; nothing changed) or `NotAccepted` (with the reason)."""

    accountId: int
    transactionId: str
    status: Literal["Added", "AlreadyAdded", "NotAccepted"]
    message: str | None = None


# Engage v2 renderings: the fields of its generated clients' models, links without `id`.


class PointDefinitionV2(BaseModel):
    id: int
    name: str
    description: str | None
    links: list[LinkV2]


class PointAccountV2(BaseModel):
    id: int
    contactId: uuid.UUID
    definitionId: int
    balance: Total
    pendingPoints: Total
    balanceExpires: str | None
    links: list[LinkV2]


class PointTransactionV2(BaseModel):
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
    links: list[LinkV2]
