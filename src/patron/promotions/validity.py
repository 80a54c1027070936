"""When a promotion starts and ends and when an assignment of it expires: calendar rules only.

Pure: standard library only. Dates are calendar days in the deployment's time zone; a day
starts at 00:00:00 and ends at 23:59:59 there, which is how Engage renders them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

LAST_END_DATE = date(9999, 12, 30)
END_OF_DAY = time(23, 59, 59)


class Unit(StrEnum):
    DAYS = "Days"
    WEEKS = "Weeks"
    MONTHS = "Months"
    YEARS = "Years"


class Status(StrEnum):
    DRAFT = "Draft"
    SCHEDULED = "Scheduled"
    ACTIVE = "Active"
    ENDED = "Ended"


@dataclass(frozen=True)
class AssignedValidity:
    """How long an assignment stays valid after it is made."""

    unit: Unit
    amount: int


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later, or that month's last day when it is shorter."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add(day: date, validity: AssignedValidity) -> date:
    if validity.unit is Unit.DAYS:
        return day + timedelta(days=validity.amount)
    if validity.unit is Unit.WEEKS:
        return day + timedelta(weeks=validity.amount)
    if validity.unit is Unit.MONTHS:
        return add_months(day, validity.amount)
    return add_months(day, 12 * validity.amount)


def expires_on(
    assigned_at: datetime,
    zone: ZoneInfo,
    validity: AssignedValidity | None,
    promotion_end: datetime | None,
) -> datetime | None:
    """The end of the day `validity` after the assignment's local date, capped at the promotion's end.

    None when neither limit exists (the assignment never expires). A date past the calendar's
    end is treated as no limit from the validity side.
    """
    candidates = [] if promotion_end is None else [promotion_end]
    if validity is not None:
        until = _validity_end(assigned_at.astimezone(zone).date(), validity, zone)
        if until is not None:
            candidates.append(until)
    return min(candidates) if candidates else None


def _validity_end(day: date, validity: AssignedValidity, zone: ZoneInfo) -> datetime | None:
    try:
        return end_of_day(add(day, validity), zone)
    except (OverflowError, ValueError):
        # Beyond year 9999: the validity does not limit this assignment.
        return None


def status(state: str, starts_at: datetime, ends_at: datetime | None, now: datetime) -> Status:
    """The status a client sees: an activated promotion is Scheduled until it starts and
    Ended after its end, computed against the clock so no job has to flip it."""
    if state == Status.DRAFT:
        return Status.DRAFT
    if state == Status.ENDED:
        return Status.ENDED
    if now < starts_at:
        return Status.SCHEDULED
    if ends_at is not None and now > ends_at:
        return Status.ENDED
    return Status.ACTIVE


def is_expired(expires: datetime | None, now: datetime) -> bool:
    return expires is not None and now > expires


def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)
