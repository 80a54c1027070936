"""Challenges and streaks counted in each member's own zone (`timezone: "member"`): the contact's
`timeZone` attribute, an IANA name checked when written, decides each member's windows and
streak periods; a member without one follows the deployment's zone (UTC in the tests).

The property tests send logs at instants hypothesis picks near month ends, ISO week ends and
clock changes, for members in zones with DST, half-hour and 2-hour DST, odd offsets and none,
and check the window the API reports against the member's local calendar, worked out here from
the local date alone."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.clock import frozen_at
from tests.records.factories import make_challenge

EXAMPLES = int(os.environ.get("PATRON_PROPERTY_EXAMPLES", "20"))
SEED = int(os.environ.get("PATRON_FUZZ_SEED", "20260"))
MEMBER_ZONES = (
    "Europe/Stockholm",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Antarctica/Troll",
    "Pacific/Chatham",
    "UTC",
)
# Hours around the moments calendars turn or clocks change, in 2026 and 2027.
MOMENTS = (
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # EU spring forward; Troll +0 → +2
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # US spring forward
    datetime(2026, 4, 5, 15, tzinfo=UTC),  # Lord Howe half-hour fall back
    datetime(2026, 10, 25, 1, tzinfo=UTC),  # EU fall back
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # US fall back; also a month end
    datetime(2026, 11, 30, 23, tzinfo=UTC),  # a month end
    datetime(2026, 12, 31, 12, tzinfo=UTC),  # a year end, ISO week 53
    datetime(2027, 1, 4, 0, tzinfo=UTC),  # an ISO week start
)
PERIODS = ("daily", "weekly", "monthly")


def local_period(period: str, day: date) -> tuple[date, date]:
    """The first local date of the day, ISO week (from Monday) or month holding `day`, and the
    first date of the next one."""
    if period == "daily":
        return day, day + timedelta(days=1)
    if period == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def assert_window(row: dict[str, Any], period: str, at: datetime, zone: ZoneInfo) -> None:
    start = datetime.fromisoformat(row["periodStart"])
    end = datetime.fromisoformat(row["periodEnd"])
    assert start <= at < end, (row, at)
    first, following = local_period(period, at.astimezone(zone).date())
    # A window begins at the first instant of its first local date (00:00, or later where
    # midnight is skipped) and ends where the next one begins.
    assert start.astimezone(zone).date() == first, (row, zone)
    assert (start - timedelta(microseconds=1)).astimezone(zone).date() < first, (row, zone)
    assert end.astimezone(zone).date() == following, (row, zone)
    assert (end - timedelta(microseconds=1)).astimezone(zone).date() < following, (row, zone)


async def _member(client: httpx.AsyncClient, till: dict[str, str], zone: str | None) -> str:
    external_id = f"M-{uuid.uuid4().hex[:10]}"
    body: dict[str, Any] = {"externalId": external_id}
    if zone is not None:
        body["timeZone"] = zone
    made = await client.post("/api/v3/contacts", json=body, headers=till)
    assert made.status_code in (200, 201), made.text
    return external_id


async def test_a_contacts_time_zone_is_an_iana_name_and_a_bad_one_is_refused_naming_it(
    client: httpx.AsyncClient, till: dict[str, str]
) -> None:
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "", "Europe/"):
        refused = await client.post(
            "/api/v3/contacts", json={"externalId": "Z-1", "timeZone": bad}, headers=till
        )
        assert refused.status_code == 400, (bad, refused.text)
        assert "timeZone" in refused.text
    made = await client.post(
        "/api/v3/contacts", json={"externalId": "Z-1", "timeZone": "Asia/Kathmandu"}, headers=till
    )
    assert made.status_code in (200, 201), made.text
    assert made.json()["attributes"]["timeZone"] == "Asia/Kathmandu"
    contact_id = made.json()["id"]
    changed = await client.patch(
        f"/api/v3/contacts/{contact_id}", json={"timeZone": "Moon/Base"}, headers=till
    )
    assert changed.status_code == 400, changed.text
    read = await client.get(f"/api/v3/contacts/{contact_id}", headers=till)
    assert read.json()["attributes"]["timeZone"] == "Asia/Kathmandu"


async def test_one_instant_is_in_different_months_for_members_in_different_zones(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    challenge = await make_challenge(client, admin, timezone="member")
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 30 November 22:00 in New York
    months = {}
    for zone in ("America/New_York", "Asia/Tokyo", None):
        member = await _member(client, till, zone)
        with frozen_at(at + timedelta(minutes=1)):
            logged = await client.post(
                "/schema/challenge_log/record",
                json={
                    "challengeId": challenge["id"],
                    "ownedById": member,
                    "uniqueIdentifier": "x",
                    "activityValue": 10,
                    "activityAt": at.isoformat(),
                },
                headers=till,
            )
        assert logged.status_code == 201, logged.text
        months[zone] = logged.json()["data"]["progress"]["periodKey"]
    # Without a timeZone the member follows the deployment's zone (UTC here).
    assert months == {"America/New_York": "2026-11", "Asia/Tokyo": "2026-12", None: "2026-12"}


def member_examples(test: Callable[[str, str, datetime, int], None]) -> Callable[[], None]:
    """Runs `test(zone, period, moment, minutes)` on hypothesis's examples: a member's zone, a
    period, and an instant within a day and a half of a moment calendars turn or clocks change."""
    examples = given(
        zone=st.sampled_from(MEMBER_ZONES),
        period=st.sampled_from(PERIODS),
        moment=st.sampled_from(MOMENTS),
        minutes=st.integers(-36 * 60, 36 * 60),
    )
    tuned = settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    return seed(SEED)(examples(tuned(test)))  # type: ignore[no-any-return]


def _run_in(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[Any]], Any]:
    def run(work: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, loop).result()  # type: ignore[arg-type]

    return run


async def test_each_members_challenge_windows_follow_their_own_calendar(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    challenges = {
        period: (await make_challenge(client, admin, timezone="member", aggregationPeriod=period))["id"]
        for period in PERIODS
    }
    run = _run_in(asyncio.get_running_loop())

    async def logged(zone: str, period: str, at: datetime) -> dict[str, Any]:
        member = await _member(client, till, zone)
        with frozen_at(at + timedelta(minutes=1)):
            answer = await client.post(
                "/schema/challenge_log/record",
                json={
                    "challengeId": challenges[period],
                    "ownedById": member,
                    "uniqueIdentifier": "x",
                    "activityValue": 1,
                    "activityAt": at.isoformat(),
                },
                headers=till,
            )
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["data"]["progress"])

    @member_examples
    def agree(zone: str, period: str, moment: datetime, minutes: int) -> None:
        at = moment + timedelta(minutes=minutes)
        assert_window(run(logged(zone, period, at)), period, at, ZoneInfo(zone))

    await asyncio.to_thread(agree)


async def test_each_members_streak_periods_follow_their_own_calendar(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    streaks = {}
    for period in PERIODS:
        made = await client.post(
            "/schema/streak/record",
            json={
                "name": f"Every {period}",
                "description": "d",
                "status": "live",
                "completionTargetValue": 10,
                "aggregationMethod": "count",
                "aggregationPeriod": period,
                "aggregationTargetValue": 1,
                "timezone": "member",
            },
            headers=admin,
        )
        assert made.status_code == 201, made.text
        streaks[period] = made.json()["data"]["id"]
    run = _run_in(asyncio.get_running_loop())

    async def walked(member: str, period: str, at: datetime, key: str) -> dict[str, Any]:
        with frozen_at(at + timedelta(minutes=1)):
            answer = await client.post(
                "/schema/streak_log/record",
                json={
                    "streakId": streaks[period],
                    "ownedById": member,
                    "uniqueIdentifier": key,
                    "activityAt": at.isoformat(),
                },
                headers=till,
            )
        assert answer.status_code == 201, answer.text
        return dict(answer.json()["data"]["progress"])

    @member_examples
    def agree(zone: str, period: str, moment: datetime, minutes: int) -> None:
        tz = ZoneInfo(zone)
        member = run(_member(client, till, zone))
        at = moment + timedelta(minutes=minutes)
        first = run(walked(member, period, at, "1"))
        assert_window(first, period, at, tz)
        # A log at the first instant of the next local period goes on with the run...
        following = datetime.fromisoformat(first["periodEnd"])
        second = run(walked(member, period, following, "2"))
        assert (second["currentProgressValue"], second["streakProgressStatus"]) == (2, "in_progress")
        assert_window(second, period, following, tz)
        # ...and one after a whole local period with no log finds it broken and starts anew.
        third = local_period(period, datetime.fromisoformat(second["periodEnd"]).astimezone(tz).date())
        after_gap = datetime.combine(third[1], time(12), tzinfo=tz).astimezone(UTC)
        fresh = run(walked(member, period, after_gap, "3"))
        assert (fresh["currentProgressValue"], fresh["streakProgressStatus"]) == (1, "in_progress")
        assert_window(fresh, period, after_gap, tz)

    await asyncio.to_thread(agree)
