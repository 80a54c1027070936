"""Contacts as Patron's Engage dialect sends and takes them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, JsonValue
from pydantic.alias_generators import to_camel

from patron_client.models.wire_model import CamelModel

LookupKeyType = Literal["email", "mobilePhone", "externalId", "memberNumber", "cardId"]


class Preferences(CamelModel):
    accepts_email: bool | None = None
    accepts_sms: bool | None = None
    accepts_postal: bool | None = None


class Consent(CamelModel):
    id: str
    value: bool
    date: str | None = None
    source: str | None = None
    comment: str | None = None


class NewContact(CamelModel):
    """A customer to register. Custom attributes configured on the server
    (`PATRON_CONTACT_CUSTOM_ATTRIBUTES`) are passed by their wire name:
    `NewContact(email=..., favouriteStore="Lund")`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow")

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    mobile_phone: str | None = None
    external_id: str | None = None
    member_number: str | None = None
    card_id: str | None = None
    birth_day: dt.date | None = None
    gender: str | None = None
    street: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    contact_type: str | None = None
    preferences: Preferences | None = None
    consents: list[Consent] | None = None

    def lookup_keys(self) -> dict[LookupKeyType, str]:
        """The unique keys this contact will be found by."""
        keys: dict[LookupKeyType, str | None] = {
            "email": self.email,
            "mobilePhone": self.mobile_phone,
            "externalId": self.external_id,
            "memberNumber": self.member_number,
            "cardId": self.card_id,
        }
        return {kind: value for kind, value in keys.items() if value}


class ContactChanges(NewContact):
    """A partial update: only the fields set are sent, and a field set to `None` is cleared."""


class ContactMeta(CamelModel):
    contact_type: str
    created_on: str
    modified_on: str
    store_external_id: str | None = None


class Contact(CamelModel):
    id: str
    attributes: dict[str, JsonValue]
    meta: ContactMeta
    preferences: dict[str, JsonValue] = {}
    consents: list[dict[str, JsonValue]] = []
