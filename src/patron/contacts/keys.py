"""Normalising the unique keys a contact is found by: e-mail and mobile phone."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints

# Wire name -> column name of every unique key.
UNIQUE_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "email": "email",
        "mobilePhone": "mobile_phone",
        "externalId": "external_id",
        "memberNumber": "member_number",
        "cardId": "card_id",
    }
)


def normalise_email(text: str) -> str:
    """The address in its compatibility form (NFKC: a full-width j, U+FF4A, is a j) and case-folded
    (`ANN`, `ann`; `ß`, `ss`), so one address is one contact however a till or a keyboard spells
    it; ValueError when malformed. This is the form stored, compared and found."""
    try:
        valid = validate_email(unicodedata.normalize("NFKC", text.strip()), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return unicodedata.normalize("NFKC", valid.normalized.casefold())


def normalise_phone(text: str, default_region: str | None) -> str:
    """E.164 (`+46701234567`); ValueError when it cannot be read as a valid number."""
    candidate = text.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, default_region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {exc}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Field types for request schemas: stored normalised, so equal addresses compare equal.
EmailAddress = Annotated[str, StringConstraints(max_length=320), AfterValidator(normalise_email)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]
