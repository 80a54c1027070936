"""Calendar windows of challenges, tried where they go wrong: the hours around clock changes in
zones with DST, odd offsets, midnights that do not exist or happen twice, and month ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby, pairwise
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st

from patron.progress.engine import Aggregation, Goal, Plan, replay, start
from patron.progress.windows import Window, WindowKind, WindowSpec, add_months, calendar_window, window_for

# Real zones, each with something a window can trip on. America/St_Johns is left out on
# purpose: see test_a_fall_back_across_midnight_leaves_the_hour_after_it_in_no_window.
ZONES = sorted(
    {
        "UTC",
        "Europe/Stockholm",
        "Europe/London",
        "America/New_York",
        "America/Sao_Paulo",  # fell back from 00:00 to 23:00 the day before
        "America/Asuncion",  # the same, until 2024
        "America/Santiago",  # sprang forward at midnight: the day starts at 01:00
        "America/Havana",  # both ways at midnight: midnight skipped, or twice
        "Asia/Beirut",
        "Asia/Tehran",
        "Asia/Kathmandu",  # +05:45
        "Asia/Kolkata",  # +05:30
        "Australia/Lord_Howe",  # DST of half an hour
        "Australia/Adelaide",
        "Pacific/Chatham",  # +12:45 / +13:45
        "Pacific/Apia",  # skipped 30 December 2011, crossing the date line
        "Pacific/Kiritimati",  # +14
        "Pacific/Marquesas",  # -09:30
        "Africa/Casablanca",  # DST suspended for Ramadan
    }
    & available_timezones()
)
KINDS = (WindowKind.DAY, WindowKind.WEEK, WindowKind.MONTH)
FIRST_YEAR, LAST_YEAR = 1990, 2060
_A_DAY = 24 * 3600
_EARLIEST = timedelta(microseconds=1)

instants = st.datetimes(
    min_value=datetime(FIRST_YEAR, 1, 1), max_value=datetime(LAST_YEAR, 12, 31), timezones=st.just(UTC)
)


def _offset(zone: ZoneInfo, timestamp: int) -> timedelta | None:
    return datetime.fromtimestamp(timestamp, UTC).astimezone(zone).utcoffset()


def clock_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants in `year` at which `zone`'s offset from UTC changes, found day by day and
    then to the second (a zone changes at most once a day)."""
    first = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
    changes = []
    for low in range(first, first + 366 * _A_DAY, _A_DAY):
        high = low + _A_DAY
        before = _offset(zone, low)
        if before == _offset(zone, high):
            continue
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(zone, middle) == before:
                low = middle
            else:
                high = middle
        changes.append(datetime.fromtimestamp(high, UTC))
    return changes


@dataclass(frozen=True, slots=True)
class ZonedInstant:
    zone: str
    instant: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


@st.composite
def instants_in(draw: st.DrawFn, zone: str) -> datetime:
    """Half the time an instant anywhere, half the time one near a clock change of `zone`:
    within three hours of it, or within the two days around it."""
    if draw(st.booleans()):
        changes = clock_changes(ZoneInfo(zone), draw(st.integers(FIRST_YEAR, LAST_YEAR)))
        if changes:
            near = draw(st.one_of(st.integers(-3 * 3600, 3 * 3600), st.integers(-2 * _A_DAY, 2 * _A_DAY)))
            return draw(st.sampled_from(changes)) + timedelta(
                seconds=near, microseconds=draw(st.integers(0, 999_999))
            )
    return draw(instants)


@st.composite
def zoned_instants(draw: st.DrawFn) -> ZonedInstant:
    zone = draw(st.sampled_from(ZONES))
    return ZonedInstant(zone, draw(instants_in(zone)))


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def first_day(kind: WindowKind, day: date) -> date:
    if kind is WindowKind.DAY:
        return day
    if kind is WindowKind.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_first_day(kind: WindowKind, first: date) -> date:
    if kind is WindowKind.DAY:
        return first + timedelta(days=1)
    if kind is WindowKind.WEEK:
        return first + timedelta(days=7)
    return add_months(first, 1)


def key_of(kind: WindowKind, day: date) -> str:
    if kind is WindowKind.DAY:
        return day.isoformat()
    if kind is WindowKind.WEEK:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{day.year}-{day.month:02d}"


def starts_its_local_day(instant: datetime, tz: ZoneInfo) -> bool:
    """`instant` is the first one of its local date: midnight, or where the clock jumped to
    when midnight did not happen."""
    earlier = instant - _EARLIEST
    first = local_date(earlier, tz) < local_date(instant, tz)
    at_midnight = instant.astimezone(tz).time() == time(0)
    jumped = earlier.astimezone(tz).utcoffset() != instant.astimezone(tz).utcoffset()
    return first and (at_midnight or jumped)


@settings(max_examples=600)
@given(point=zoned_instants(), kind=st.sampled_from(KINDS))
def test_a_window_is_the_local_calendar_day_week_or_month_of_the_instant(
    point: ZonedInstant, kind: WindowKind
) -> None:
    tz = point.tz
    window = calendar_window(kind, point.instant, tz)
    today = local_date(point.instant, tz)
    assert window.contains(point.instant)
    assert window.key == key_of(kind, today)
    assert local_date(window.start, tz) == first_day(kind, today)
    assert starts_its_local_day(window.start, tz)


@settings(max_examples=600)
@given(point=zoned_instants(), kind=st.sampled_from(KINDS))
def test_windows_tile_time_and_the_next_is_the_next_calendar_period(
    point: ZonedInstant, kind: WindowKind
) -> None:
    tz = point.tz
    window = calendar_window(kind, point.instant, tz)
    assert window.end is not None
    following = calendar_window(kind, window.end, tz)
    assert following.start == window.end
    next_first = next_first_day(kind, first_day(kind, local_date(point.instant, tz)))
    begins = local_date(following.start, tz)
    assert following.key == key_of(kind, begins)
    if begins != next_first:
        # Only a day the zone skipped is left out (Apia's 30 December 2011): its midnight
        # is the instant the next day begins.
        assert kind is WindowKind.DAY and begins > next_first
        assert datetime.combine(next_first, time(0), tz).astimezone(UTC) == following.start
    previous = calendar_window(kind, window.start - _EARLIEST, tz)
    assert previous.end == window.start


@settings(max_examples=600)
@given(point=zoned_instants())
def test_a_day_lasts_23_to_25_hours(point: ZonedInstant) -> None:
    # True of every zone here: none moves its clock by more than an hour at once. (Some do:
    # Antarctica/Troll's DST is two hours, so its days last 22 and 26.)
    window = calendar_window(WindowKind.DAY, point.instant, point.tz)
    assert window.end is not None
    assert timedelta(hours=23) <= window.end - window.start <= timedelta(hours=25)


def test_days_around_clock_changes_last_what_the_clock_says() -> None:
    def length(zone: str, day: date) -> timedelta:
        tz = ZoneInfo(zone)
        window = calendar_window(WindowKind.DAY, datetime.combine(day, time(12), tz), tz)
        assert window.end is not None
        return window.end - window.start

    assert length("America/New_York", date(2024, 3, 10)) == timedelta(hours=23)
    assert length("America/New_York", date(2024, 11, 3)) == timedelta(hours=25)
    assert length("Australia/Lord_Howe", date(2024, 4, 7)) == timedelta(hours=24, minutes=30)
    assert length("Australia/Lord_Howe", date(2024, 10, 6)) == timedelta(hours=23, minutes=30)
    # Sao Paulo fell back from 00:00 on 17 February 2019 to 23:00 on the 16th.
    assert length("America/Sao_Paulo", date(2019, 2, 16)) == timedelta(hours=25)
    # Apia skipped 30 December 2011: the 29th ends where the 31st begins.
    apia = ZoneInfo("Pacific/Apia")
    last = calendar_window(WindowKind.DAY, datetime(2011, 12, 29, 12, tzinfo=apia), apia)
    assert last.end is not None
    assert calendar_window(WindowKind.DAY, last.end, apia).key == "2011-12-31"


@settings(max_examples=300)
@given(point=zoned_instants(), kind=st.sampled_from(KINDS), started=instants)
def test_a_challenge_window_is_the_calendar_window_whenever_the_member_started(
    point: ZonedInstant, kind: WindowKind, started: datetime
) -> None:
    spec = WindowSpec(kind, zone=point.zone)
    expected = calendar_window(kind, point.instant, point.tz)
    assert window_for(spec, started, point.instant) == expected
    plan = Plan(Goal(Decimal(10)), window=spec)
    assert start(plan, point.instant).window == expected


@settings(max_examples=300)
@given(
    zone=st.sampled_from(ZONES),
    kind=st.sampled_from(KINDS),
    first=instants,
    steps=st.lists(st.integers(0, 40 * 3600), min_size=1, max_size=25),
)
def test_a_calendar_challenge_counts_each_activity_in_its_local_window(
    zone: str, kind: WindowKind, first: datetime, steps: list[int]
) -> None:
    tz = ZoneInfo(zone)
    moments, at = [], first
    for step in steps:
        at += timedelta(seconds=step)
        moments.append(at)
    plan = Plan(Goal(Decimal(10**9), Aggregation.COUNT), window=WindowSpec(kind, zone=zone))
    states = replay(plan, moments[0], [(Decimal(1), moment) for moment in moments])

    keys = [key_of(kind, local_date(moment, tz)) for moment in moments]
    assert [s.window.key for s in states] == [key for key, _ in groupby(keys)]
    assert [s.value for s in states] == [len(list(same)) for _, same in groupby(keys)]
    assert all(a.window.start < b.window.start for a, b in pairwise(states))


def test_a_fall_back_across_midnight_counts_the_repeated_hour_in_the_next_window() -> None:
    # Until 2011 St John's fell back at 00:01 to 23:01 the day before: 02:45 UTC on 1 November
    # 2009 reads 23:15 on 31 October, after that day's window ended at its first midnight.
    tz = ZoneInfo("America/St_Johns")
    instant = datetime(2009, 11, 1, 2, 45, tzinfo=UTC)
    assert instant.astimezone(tz).date() == date(2009, 10, 31)
    day: Window = calendar_window(WindowKind.DAY, instant, tz)
    assert day.contains(instant)
