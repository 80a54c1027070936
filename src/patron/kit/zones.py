"""IANA time zone names, as a contact's `timeZone` or a definition's `timezone` gives them."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, StringConstraints


def zone_named(name: str) -> ZoneInfo | None:
    """The zone of an IANA name ("Europe/Stockholm"), or None when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: a path-like or empty key, which ZoneInfo refuses before looking.
        return None


def _known(name: str) -> str:
    if zone_named(name) is None:
        raise ValueError(f"{name!r} is not an IANA time zone name, such as Europe/Stockholm")
    return name


# A field holding an IANA zone name: a 400 naming the field when there is no such zone.
ZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(_known)
]
