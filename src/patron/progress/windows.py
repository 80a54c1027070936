"""Time windows a goal must be reached in, computed in an IANA time zone.

Pure: standard library only. Calendar windows (day, ISO week starting Monday, month) begin
at local midnight, so a day across a DST change lasts 23 or 25 hours. A window of N months
from a participant's start ends at the end of the local day N calendar months later,
clamped to the month's last day: started 31 January, one month ends with 28/29 February.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class WindowKind(StrEnum):
    NONE = "none"
    MONTHS_FROM_START = "months_from_start"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


CALENDAR_KINDS = frozenset({WindowKind.DAY, WindowKind.WEEK, WindowKind.MONTH})


@dataclass(frozen=True, slots=True)
class WindowSpec:
    kind: WindowKind = WindowKind.NONE
    months: int = 0
    zone: str = "UTC"

    def __post_init__(self) -> None:
        if self.kind is WindowKind.MONTHS_FROM_START and self.months < 1:
            raise ValueError("a window of months from the start needs months >= 1")
        ZoneInfo(self.zone)

    @property
    def is_calendar(self) -> bool:
        return self.kind in CALENDAR_KINDS


@dataclass(frozen=True, slots=True)
class Window:
    """[start, end) in UTC; `key` names a calendar window ("2024-03-10", "2024-W10", "2024-03")."""

    start: datetime
    end: datetime | None
    key: str | None = None

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant and (self.end is None or instant < self.end)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone`, in UTC.

    When midnight does not exist (clocks jump forward at 00:00), fold=0 reads it with the
    offset before the jump, which lands exactly on the jump: the day's real first instant.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the last day of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_from(start: datetime, months: int, zone: ZoneInfo) -> Window:
    last_day = add_months(start.astimezone(zone).date(), months)
    return Window(start=start, end=local_midnight(last_day + timedelta(days=1), zone))


def calendar_window(kind: WindowKind, instant: datetime, zone: ZoneInfo) -> Window:
    today = instant.astimezone(zone).date()
    if kind is WindowKind.DAY:
        first, following, key = today, today + timedelta(days=1), today.isoformat()
    elif kind is WindowKind.WEEK:
        first = today - timedelta(days=today.weekday())
        following = first + timedelta(days=7)
        iso = today.isocalendar()
        key = f"{iso.year}-W{iso.week:02d}"
    elif kind is WindowKind.MONTH:
        first = today.replace(day=1)
        following = add_months(first, 1)
        key = f"{today.year}-{today.month:02d}"
    else:
        raise ValueError(f"{kind} is not a calendar window")
    end = local_midnight(following, zone)
    if instant >= end:
        # Clocks fell back across midnight: the repeated hour reads as the day before but comes
        # after that day's end, so it counts in the window that ended it.
        return calendar_window(kind, end, zone)
    return Window(start=local_midnight(first, zone), end=end, key=key)


def window_for(spec: WindowSpec, started_at: datetime, instant: datetime) -> Window:
    """The window a participant who started at `started_at` is in at `instant`.

    For a calendar kind it is the one containing `instant`; otherwise it is anchored at the
    start (and may already have ended: the caller checks `contains`).
    """
    if spec.kind is WindowKind.NONE:
        return Window(start=started_at, end=None)
    zone = ZoneInfo(spec.zone)
    if spec.kind is WindowKind.MONTHS_FROM_START:
        return months_from(started_at, spec.months, zone)
    return calendar_window(spec.kind, instant, zone)
