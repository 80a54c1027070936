"""Streaks (API.md §2): periods that reach their target in a row; a gap breaks the run and the
next log starts a fresh one; completion at completionTargetValue periods; a milestone on a
streak rewarded once per run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from patron.db.session import transaction
from patron.models import OutboxEvent
from patron.state import AppState
from patron.worker import expiry
from tests.clock import frozen_at


async def _streak(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Walk 3 days in a row",
        "description": "3 000 steps a day, three days running.",
        "status": "live",
        "completionTargetValue": 3,
        "aggregationMethod": "sum",
        "aggregationPeriod": "daily",
        "aggregationTargetValue": 3000,
        "timezone": "Europe/Stockholm",
        **fields,
    }
    made = await client.post("/schema/streak/record", json=body, headers=admin)
    assert made.status_code == 201, made.text
    return dict(made.json()["data"])


async def _walk(
    client: httpx.AsyncClient, till: dict[str, str], streak_id: str, day: str, steps: int
) -> None:
    at = datetime.fromisoformat(f"{day}T10:00:00+01:00")
    with frozen_at(at):
        made = await client.post(
            "/schema/streak_log/record",
            json={
                "streakId": streak_id,
                "ownedById": "W-1",
                "uniqueIdentifier": f"{day}-{steps}",
                "activityValue": steps,
                "activityAt": at.isoformat(),
            },
            headers=till,
        )
    assert made.status_code == 201, made.text


async def _events(state: AppState) -> list[OutboxEvent]:
    async with transaction(state.database, write=False) as session:
        return list((await session.execute(select(OutboxEvent).order_by(OutboxEvent.seq))).scalars().all())


async def _runs(client: httpx.AsyncClient, admin: dict[str, str], at: datetime) -> list[dict[str, Any]]:
    with frozen_at(at):
        listed = await client.get(
            "/schema/streak_progress/record",
            params={"sortBy": '[{"fieldSlug": "periodStart", "order": "ASC"}]'},
            headers=admin,
        )
    assert listed.status_code == 200, listed.text
    return list(listed.json()["data"])


async def test_two_days_a_gap_then_a_day_is_one_broken_run_and_one_in_progress(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    made = await client.post("/api/v3/contacts", json={"externalId": "W-1"}, headers=till)
    assert made.status_code in (200, 201)
    streak = await _streak(client, admin)
    await _walk(client, till, streak["id"], "2026-12-01", 3500)
    await _walk(client, till, streak["id"], "2026-12-02", 2000)
    await _walk(client, till, streak["id"], "2026-12-02", 1500)  # the day's total reaches 3 000
    await _walk(client, till, streak["id"], "2026-12-04", 4000)  # the 3rd went unwalked
    runs = await _runs(client, admin, datetime(2026, 12, 4, 12, tzinfo=UTC))
    assert [(run["currentProgressValue"], run["streakProgressStatus"]) for run in runs] == [
        (2, "broken"),
        (1, "in_progress"),
    ]
    # Broken when the day it needed ended: midnight of 3 December in Stockholm.
    assert runs[0]["streakBrokenAt"] == "2026-12-03T23:00:00Z"


async def test_a_run_is_broken_on_reading_once_its_next_day_has_passed_and_completes_at_its_target(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    made = await client.post("/api/v3/contacts", json={"externalId": "W-1"}, headers=till)
    assert made.status_code in (200, 201)
    streak = await _streak(client, admin)
    await _walk(client, till, streak["id"], "2026-12-01", 3000)
    (run,) = await _runs(client, admin, datetime(2026, 12, 3, 12, tzinfo=UTC))
    assert run["streakProgressStatus"] == "broken"
    for day in ("2026-12-10", "2026-12-11", "2026-12-12"):
        await _walk(client, till, streak["id"], day, 3000)
    runs = await _runs(client, admin, datetime(2026, 12, 20, tzinfo=UTC))
    assert [(run["currentProgressValue"], run["streakProgressStatus"]) for run in runs] == [
        (1, "broken"),
        (3, "completed"),
    ]


async def test_a_runs_task_progress_is_its_current_periods_logs_and_each_row_shows_its_own(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str]
) -> None:
    for member in ("W-1", "W-2"):
        made = await client.post("/api/v3/contacts", json={"externalId": member}, headers=till)
        assert made.status_code in (200, 201)
    streak = await _streak(client, admin)
    await _walk(client, till, streak["id"], "2026-12-01", 3500)
    await _walk(client, till, streak["id"], "2026-12-02", 1000)
    await _walk(client, till, streak["id"], "2026-12-02", 500)
    at = datetime.fromisoformat("2026-12-02T11:00:00+01:00")
    with frozen_at(at):
        other = await client.post(
            "/schema/streak_log/record",
            json={
                "streakId": streak["id"],
                "ownedById": "W-2",
                "uniqueIdentifier": "w2",
                "activityValue": 700,
            },
            headers=till,
        )
    assert other.status_code == 201, other.text
    runs = await _runs(client, admin, at)
    shown = {
        run["currentPeriodValue"]: sorted(log["activityValue"] for log in run["taskProgress"]) for run in runs
    }
    # W-1's run is in 2 December (1 500 so far, 1 December's 3 500 is behind it); W-2's has one log.
    assert shown == {1500: [500, 1000], 700: [700]}


async def test_the_worker_writes_a_run_broken_once_when_the_day_it_needed_ends_and_a_late_log_for_that_day_mends_it(
    client: httpx.AsyncClient, admin: dict[str, str], till: dict[str, str], state: AppState
) -> None:
    made = await client.post("/api/v3/contacts", json={"externalId": "W-1"}, headers=till)
    assert made.status_code in (200, 201)
    streak = await _streak(client, admin)
    await _walk(client, till, streak["id"], "2026-12-01", 3000)
    with frozen_at(datetime(2026, 12, 2, 22, 59, tzinfo=UTC)):  # 2 December is still going in Stockholm
        assert await expiry.run_once(state) == 0
    with frozen_at(datetime(2026, 12, 2, 23, 0, 1, tzinfo=UTC)):
        assert await expiry.run_once(state) == 1
        assert await expiry.run_once(state) == 0
    broken = [event for event in await _events(state) if event.type == "streak.broken"]
    assert len(broken) == 1
    assert broken[0].occurred_at == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    (run,) = await _runs(client, admin, datetime(2026, 12, 3, 8, tzinfo=UTC))
    assert (run["streakProgressStatus"], run["streakBrokenAt"]) == ("broken", "2026-12-02T23:00:00Z")
    # The till sends 2 December's walk the next morning: it counts, and the run goes on.
    morning = datetime(2026, 12, 3, 8, tzinfo=UTC)
    with frozen_at(morning):
        late = await client.post(
            "/schema/streak_log/record",
            json={
                "streakId": streak["id"],
                "ownedById": "W-1",
                "uniqueIdentifier": "late",
                "activityValue": 3000,
                "activityAt": "2026-12-02T20:00:00+01:00",
            },
            headers=till,
        )
    assert late.status_code == 201, late.text
    (run,) = await _runs(client, admin, morning)
    assert (run["currentProgressValue"], run["streakProgressStatus"], run["streakBrokenAt"]) == (
        2,
        "in_progress",
        None,
    )
    # Told broken once; nothing more until the day it now needs (3 December) has ended.
    with frozen_at(datetime(2026, 12, 3, 22, 0, tzinfo=UTC)):
        assert await expiry.run_once(state) == 0
    assert sum(event.type == "streak.broken" for event in await _events(state)) == 1
