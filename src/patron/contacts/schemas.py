"""The wire format of contacts (Engage's camelCase)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from patron.contacts.keys import CountryCode, EmailAddress
from patron.kit.bodies import Body
from patron.kit.zones import ZoneName

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Preferences(Body):
    acceptsEmail: bool | None = None
    acceptsSms: bool | None = None
    acceptsPostal: bool | None = None


class Consent(Body):
    id: Key
    value: bool
    date: str | None = Field(default=None, max_length=40)
    source: str | None = Field(default=None, max_length=200)
    comment: str | None = Field(default=None, max_length=1000)


class ContactFields(BaseModel):
    """A flat object of attributes, plus preferences and consents.

    Custom attributes are accepted as extra keys and checked against the configured list.
    """

    model_config = ConfigDict(extra="allow")

    firstName: Text | None = None
    lastName: Text | None = None
    email: EmailAddress | None = None
    mobilePhone: Annotated[str, StringConstraints(max_length=40)] | None = None
    externalId: Key | None = None
    memberNumber: Key | None = None
    cardId: Key | None = None
    birthDay: date | None = None
    gender: Annotated[str, StringConstraints(max_length=20)] | None = None
    street: Text | None = None
    zipCode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    city: Text | None = None
    countryCode: CountryCode | None = None
    contactType: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,49}$")] | None = None
    # The member's own zone (IANA), for challenges and streaks counted in each member's zone.
    timeZone: ZoneName | None = None
    preferences: Preferences | None = None
    consents: list[Consent] | None = Field(default=None, max_length=100)

    def custom_attributes(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ContactMeta(BaseModel):
    contactType: str
    createdOn: str
    modifiedOn: str
    storeExternalId: str | None


class ContactOut(BaseModel):
    id: uuid.UUID
    attributes: dict[str, Any]
    meta: ContactMeta
    preferences: dict[str, Any]
    consents: list[dict[str, Any]]


class BulkAccepted(BaseModel):
    batchId: uuid.UUID


class BulkRowError(BaseModel):
    row: int
    key: str
    message: str


class BulkStatus(BaseModel):
    batchId: uuid.UUID
    status: Literal["Queued", "Running", "Done", "Failed"]
    total: int
    succeeded: int
    failed: int
    errors: list[BulkRowError]


class LookupKeys(BaseModel):
    """`GET /contacts/id` query: one key to search by, optionally narrowed by contact type."""

    email: str | None = None
    mobilePhone: str | None = None
    externalId: str | None = None
    memberNumber: str | None = None
    cardId: str | None = None
    any: str | None = None
    contactType: str | None = None
