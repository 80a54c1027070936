"""Time windows across zones, DST changes, month ends and leap years."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.progress.windows import (
    WindowKind,
    WindowSpec,
    add_months,
    calendar_window,
    months_from,
    window_for,
)

ZONES = sorted(
    {
        "UTC",
        "Europe/Stockholm",
        "Europe/London",
        "America/New_York",
        "America/Sao_Paulo",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Pacific/Apia",
    }
    & available_timezones()
)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from(ZONES)
kinds = st.sampled_from([WindowKind.DAY, WindowKind.WEEK, WindowKind.MONTH])


@settings(max_examples=300)
@given(instant=instants, zone=zones, kind=kinds)
def test_calendar_window_contains_the_instant_and_meets_the_next(
    instant: datetime, zone: str, kind: WindowKind
) -> None:
    tz = ZoneInfo(zone)
    window = calendar_window(kind, instant, tz)
    assert window.end is not None
    assert window.contains(instant)
    following = calendar_window(kind, window.end, tz)
    assert following.start == window.end
    assert following.key != window.key
    assert window.start.astimezone(tz).date() <= instant.astimezone(tz).date()


@settings(max_examples=200)
@given(instant=instants, zone=zones)
def test_weeks_start_on_monday(instant: datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    window = calendar_window(WindowKind.WEEK, instant, tz)
    assert window.start.astimezone(tz).date().weekday() == 0
    assert window.key == "{}-W{:02d}".format(*instant.astimezone(tz).isocalendar()[:2])


def test_dst_days_last_23_and_25_hours() -> None:
    tz = ZoneInfo("Europe/Stockholm")
    spring = calendar_window(WindowKind.DAY, datetime(2024, 3, 31, 12, tzinfo=UTC), tz)
    autumn = calendar_window(WindowKind.DAY, datetime(2024, 10, 27, 12, tzinfo=UTC), tz)
    ordinary = calendar_window(WindowKind.DAY, datetime(2024, 6, 1, 12, tzinfo=UTC), tz)
    assert spring.end is not None and autumn.end is not None and ordinary.end is not None
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert ordinary.end - ordinary.start == timedelta(hours=24)


def test_a_day_whose_midnight_does_not_exist_starts_at_the_jump() -> None:
    # Santiago jumped from 00:00 to 01:00 on 2023-09-03.
    tz = ZoneInfo("America/Santiago")
    window = calendar_window(WindowKind.DAY, datetime(2023, 9, 3, 15, tzinfo=UTC), tz)
    assert window.start == datetime(2023, 9, 3, 4, tzinfo=UTC)
    assert window.start.astimezone(tz).hour == 1


def test_one_month_from_the_31st_of_january_ends_with_february() -> None:
    tz = ZoneInfo("Europe/Stockholm")
    leap = months_from(datetime(2024, 1, 31, 9, tzinfo=UTC), 1, tz)
    common = months_from(datetime(2025, 1, 31, 9, tzinfo=UTC), 1, tz)
    assert leap.end == datetime(2024, 3, 1, tzinfo=tz).astimezone(UTC)
    assert common.end == datetime(2025, 3, 1, tzinfo=tz).astimezone(UTC)


@settings(max_examples=300)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 1, 1)), months=st.integers(0, 60))
def test_add_months_is_clamped_and_calendar_correct(day: date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or (later.day < day.day and (later + timedelta(days=1)).day == 1)


@settings(max_examples=200)
@given(start=instants, zone=zones, months=st.integers(1, 36))
def test_months_window_ends_at_a_local_midnight_after_the_start(
    start: datetime, zone: str, months: int
) -> None:
    tz = ZoneInfo(zone)
    window = window_for(WindowSpec(WindowKind.MONTHS_FROM_START, months, zone), start, start)
    assert window.end is not None and window.end > start
    assert window.contains(start)
    local_end = window.end.astimezone(tz)
    assert local_end.date() - timedelta(days=1) == add_months(start.astimezone(tz).date(), months)
