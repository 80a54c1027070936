"""The wire format of stores."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, StringConstraints

from patron.contacts.keys import CountryCode, EmailAddress
from patron.kit.bodies import Body

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StoreType = Literal["Physical", "Online"]


class StoreFields(Body):
    name: Name
    city: Name | None = None
    countryCode: CountryCode | None = None
    email: EmailAddress | None = None
    type: StoreType = "Physical"


class NewStore(StoreFields):
    externalId: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StoreOut(BaseModel):
    externalId: str
    name: str
    city: str | None
    countryCode: str | None
    email: str | None
    type: StoreType
