"""Expiry and status rules, calendar-correct and in the deployment's zone (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from patron.promotions import validity
from patron.promotions.validity import AssignedValidity, Status, Unit

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC_ZONE = ZoneInfo("UTC")


def months(amount: int) -> AssignedValidity:
    return AssignedValidity(Unit.MONTHS, amount)


def test_one_month_from_31_january_ends_on_the_last_day_of_february() -> None:
    assigned = datetime(2023, 1, 31, 12, 0, tzinfo=STOCKHOLM)
    expires = validity.expires_on(assigned, STOCKHOLM, months(1), None)
    assert expires == datetime(2023, 2, 28, 23, 59, 59, tzinfo=STOCKHOLM)
    assert expires is not None
    assert expires.isoformat() == "2023-02-28T23:59:59+01:00"


def test_one_month_from_31_january_in_a_leap_year_ends_on_29_february() -> None:
    assigned = datetime(2024, 1, 31, 9, 30, tzinfo=STOCKHOLM)
    assert validity.expires_on(assigned, STOCKHOLM, months(1), None) == datetime(
        2024, 2, 29, 23, 59, 59, tzinfo=STOCKHOLM
    )


def test_the_local_date_counts_not_the_utc_date() -> None:
    # 23:30 UTC on 31 January is already 1 February in Stockholm.
    assigned = datetime(2023, 1, 31, 23, 30, tzinfo=UTC)
    assert validity.expires_on(assigned, STOCKHOLM, months(1), None) == datetime(
        2023, 3, 1, 23, 59, 59, tzinfo=STOCKHOLM
    )


def test_days_weeks_and_years() -> None:
    assigned = datetime(2024, 2, 29, 10, 0, tzinfo=STOCKHOLM)
    end = validity.expires_on
    assert end(assigned, STOCKHOLM, AssignedValidity(Unit.DAYS, 1), None) == datetime(
        2024, 3, 1, 23, 59, 59, tzinfo=STOCKHOLM
    )
    assert end(assigned, STOCKHOLM, AssignedValidity(Unit.WEEKS, 2), None) == datetime(
        2024, 3, 14, 23, 59, 59, tzinfo=STOCKHOLM
    )
    assert end(assigned, STOCKHOLM, AssignedValidity(Unit.YEARS, 1), None) == datetime(
        2025, 2, 28, 23, 59, 59, tzinfo=STOCKHOLM
    )


def test_the_promotion_end_caps_the_assignment() -> None:
    assigned = datetime(2024, 1, 10, 10, 0, tzinfo=STOCKHOLM)
    promotion_end = validity.end_of_day(date(2024, 1, 20), STOCKHOLM)
    assert validity.expires_on(assigned, STOCKHOLM, months(3), promotion_end) == promotion_end
    assert validity.expires_on(assigned, STOCKHOLM, None, promotion_end) == promotion_end
    assert validity.expires_on(assigned, STOCKHOLM, None, None) is None


def test_a_validity_beyond_the_calendar_does_not_limit() -> None:
    assigned = datetime(2024, 1, 10, tzinfo=UTC)
    assert validity.expires_on(assigned, UTC_ZONE, AssignedValidity(Unit.YEARS, 9000), None) is None


def test_days_end_at_23_59_59_on_dst_days() -> None:
    # The last Sunday of March has 23 hours in Stockholm; the day still ends at 23:59:59 local.
    end = validity.end_of_day(date(2024, 3, 31), STOCKHOLM)
    assert end.isoformat() == "2024-03-31T23:59:59+02:00"
    assert validity.start_of_day(date(2024, 3, 31), STOCKHOLM).isoformat() == "2024-03-31T00:00:00+01:00"


def test_status_follows_the_clock() -> None:
    starts = datetime(2024, 5, 1, tzinfo=UTC)
    ends = datetime(2024, 5, 31, tzinfo=UTC)
    assert validity.status("Draft", starts, ends, starts) is Status.DRAFT
    assert validity.status("Active", starts, ends, starts - timedelta(seconds=1)) is Status.SCHEDULED
    assert validity.status("Active", starts, ends, starts) is Status.ACTIVE
    assert validity.status("Active", starts, ends, ends + timedelta(seconds=1)) is Status.ENDED
    assert validity.status("Active", starts, None, ends + timedelta(days=999)) is Status.ACTIVE
    assert validity.status("Ended", starts, None, starts) is Status.ENDED


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(9000, 12, 31)),
    amount=st.integers(min_value=1, max_value=240),
)
def test_adding_months_keeps_the_day_or_clamps_to_the_month_end(day: date, amount: int) -> None:
    later = validity.add_months(day, amount)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == amount
    if later.day != day.day:
        assert later.day < day.day
        assert (later + timedelta(days=1)).day == 1


@given(
    instant=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(STOCKHOLM)
    ),
    unit=st.sampled_from(list(Unit)),
    amount=st.integers(min_value=1, max_value=50),
)
def test_an_assignment_always_expires_at_a_local_day_end_after_it_was_made(
    instant: datetime, unit: Unit, amount: int
) -> None:
    expires = validity.expires_on(instant, STOCKHOLM, AssignedValidity(unit, amount), None)
    assert expires is not None
    local = expires.astimezone(STOCKHOLM)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert expires > instant
