"""Streaks (API.md §2): periods that reach their target in a row; a gap breaks the run and the
next log starts a fresh one; completion at completionTargetValue periods; a milestone on a
streak rewarded once per run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

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
