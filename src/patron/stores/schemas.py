"""The wire format of stores."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from patron.contacts.keys import normalise_email

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
StoreType = Literal["Physical", "Online"]


class StoreFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    city: Name | None = None
    countryCode: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None
    type: StoreType = "Physical"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else normalise_email(value)

    @field_validator("countryCode")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else value.upper()


class NewStore(StoreFields):
    externalId: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StoreOut(BaseModel):
    externalId: str
    name: str
    city: str | None
    countryCode: str | None
    email: str | None
    type: StoreType
