"""The instants Patron accepts: those every zone can show and every database can store.

An instant is stored in UTC and shown in the deployment's zone (or a definition's), so one
near the ends of the calendar overflows on the way: 9999-12-31T23:59:59-23:59 is in year
10000 in UTC, and 0001-01-01T00:00:00Z is in year 0 in any zone west of it (PostgreSQL then
stores -infinity, which no read can render). An accepted instant lies, in UTC, from the start
of 1900-01-02 to the end of 9999-12-30: a day from either end leaves room for any offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(1900, 1, 2, tzinfo=UTC)
LATEST = datetime.combine(datetime(9999, 12, 30), time.max, tzinfo=UTC)
_RANGE = f"between {EARLIEST.date()} and {LATEST.date()} (UTC)"


def in_range(value: datetime) -> datetime:
    """`value` when it lies within the accepted range; ValueError naming it otherwise. A
    naive value (a wall-clock time the deployment's zone will place) is held to the same dates
    with a day's room on either side, so that any zone can place it."""
    if value.tzinfo is None:
        if not (EARLIEST.replace(tzinfo=None) <= value <= LATEST.replace(tzinfo=None)):
            raise ValueError(f"the date-time must lie {_RANGE}")
        return value
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"the date-time must lie {_RANGE}") from None
    if not (EARLIEST <= utc <= LATEST):
        raise ValueError(f"the date-time must lie {_RANGE}")
    return value


def date_in_range(value: date) -> date:
    """A calendar day whose start and end, in any zone, lie within the accepted range."""
    if not (EARLIEST.date() <= value <= LATEST.date()):
        raise ValueError(f"the date must lie {_RANGE}")
    return value


# An aware date-time in the accepted range, for request bodies.
Instant = Annotated[AwareDatetime, AfterValidator(in_range)]
