"""The wire format of segments and assignment jobs (Engage's camelCase)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from patron.kit.bodies import Body
from patron.kit.links import ItemLink
from patron.kit.numbers import NotBoolean

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# A week at most between refreshes; five minutes at least, since a refresh reads every contact.
RefreshMinutes = Annotated[int, Field(ge=5, le=10080), NotBoolean]


class SegmentIn(Body):
    name: Name
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None
    # The rule grammar of docs/SEGMENTS.md, read (and refused with the place named) by the service.
    rule: dict[str, Any]
    refreshMinutes: RefreshMinutes = 60


class RuleIn(Body):
    rule: dict[str, Any]


class SegmentOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    rule: dict[str, Any]
    refreshMinutes: int
    memberCount: int | None
    refreshedOn: str | None
    refreshDueOn: str | None
    createdOn: str | None
    modifiedOn: str | None
    links: list[ItemLink]


class PreviewOut(BaseModel):
    count: int


class MemberOut(BaseModel):
    contactId: uuid.UUID
    links: list[ItemLink]


class AssignSegmentIn(Body):
    segmentId: uuid.UUID
    # How fast the job assigns, so it never starves the tills of the database.
    rowsPerSecond: Annotated[int, Field(ge=1, le=100_000), NotBoolean] | None = None


class AssignmentJobOut(BaseModel):
    id: uuid.UUID
    promotionId: uuid.UUID
    segmentId: uuid.UUID
    status: str
    rowsPerSecond: int
    total: int | None
    processed: int
    assigned: int
    error: str | None
    createdOn: str | None
    startedOn: str | None
    finishedOn: str | None
    links: list[ItemLink]
