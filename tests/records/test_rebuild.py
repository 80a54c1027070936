"""`patron progress rebuild` over record challenges and streaks: after a random mix of logs
(late ones, gaps, windows closed and runs broken by the worker) the logs reproduce every
progress row and every milestone reward; a corrupted row or a missing reward is reported, and
the rebuild rewrites the progress (never the rewards)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from typer.testing import CliRunner

from patron.cli import app as cli
from patron.config import Settings
from patron.db.engine import Database
from patron.state import AppState
from patron.worker import expiry
from tests.clock import frozen_at
from tests.earning.factories import rebuild_check
from tests.records.factories import make_challenge, make_member, make_milestone

START = datetime(2026, 10, 28, 9, tzinfo=UTC)


async def _streak(client: httpx.AsyncClient, admin: dict[str, str], period: str, zone: str) -> str:
    made = await client.post(
        "/schema/streak/record",
        json={
            "name": f"{period} streak",
            "description": "d",
            "status": "live",
            "completionTargetValue": 3,
            "aggregationMethod": "sum",
            "aggregationPeriod": period,
            "aggregationTargetValue": 100,
            "timezone": zone,
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    streak_id = str(made.json()["data"]["id"])
    milestone = await client.post(
        "/schema/milestone/record",
        json={
            "linkedSchemaSlug": "streak",
            "linkedSchemaRecordId": streak_id,
            "name": "Two in a row",
            "milestoneTargetValue": 2,
            "reward": {"type": "coupon", "codePrefix": "ROW"},
        },
        headers=admin,
    )
    assert milestone.status_code == 201, milestone.text
    return streak_id


async def test_the_logs_reproduce_every_row_and_reward_and_a_corrupted_one_is_found_and_rebuilt(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
    state: AppState,
) -> None:
    rng = random.Random(7)
    with frozen_at(START):
        members = [await make_member(client, till, f"R-{n}") for n in range(6)]
        monthly = await make_challenge(client, admin, completionTargetValue=300, timezone="Europe/Stockholm")
        weekly = await make_challenge(
            client, admin, aggregationPeriod="weekly", aggregationMethod="count", completionTargetValue=3
        )
        for challenge, target in ((monthly, 100), (monthly, 250), (weekly, 2)):
            await make_milestone(client, admin, challenge["id"], target, {"type": "coupon"})
        streaks = [
            await _streak(client, admin, "daily", "America/New_York"),
            await _streak(client, admin, "weekly", "UTC"),
        ]
    sent = 0
    for step in range(40):
        now = START + timedelta(hours=13 * step, minutes=rng.randrange(60))
        for log in range(3):
            member = rng.choice(members)
            # Some logs are late: they happened hours or days before they are sent.
            at = now - timedelta(hours=rng.choice((0, 0, 0, 5, 30, 80)))
            body = {"ownedById": member, "uniqueIdentifier": f"u-{sent}", "activityAt": at.isoformat()}
            sent += 1
            if rng.randrange(3) == 0:
                challenge = rng.choice((monthly, weekly))
                body |= {"challengeId": challenge["id"], "activityValue": rng.choice((40, 90, 150))}
                path = "/schema/challenge_log/record"
            else:
                body |= {"streakId": rng.choice(streaks), "activityValue": rng.choice((30, 60, 120))}
                path = "/schema/streak_log/record"
            # Each log sent a moment after the last, as tills do: the ledger's order is theirs.
            with frozen_at(now + timedelta(seconds=log)):
                logged = await client.post(path, json=body, headers=till)
            assert logged.status_code == 201, logged.text
        if step % 9 == 0:
            with frozen_at(now + timedelta(minutes=1)):
                await expiry.run_once(state)
    with frozen_at(START + timedelta(hours=13 * 40)):
        await expiry.run_once(state)
        code, output = await rebuild_check(settings)
    assert (code, output.strip()) == (0, "No differences."), output

    async with database.write_engine.begin() as session:
        await session.execute(
            text("UPDATE record_progress SET value = value + 7 WHERE kind = 'challenge' AND value > 0")
        )
        corrupted = (
            await session.execute(
                text("SELECT count(*) FROM record_progress WHERE kind = 'challenge' AND value > 0")
            )
        ).scalar_one()
        await session.execute(
            text(
                "DELETE FROM rewards WHERE id = (SELECT id FROM rewards WHERE source_type = 'milestone' "
                "ORDER BY id LIMIT 1)"
            )
        )
    with frozen_at(START + timedelta(hours=13 * 40)):
        code, output = await rebuild_check(settings)
    assert code == 1
    assert output.count(": value is ") == corrupted > 0, output
    assert output.count("reached but not rewarded") == 1, output
    with frozen_at(START + timedelta(hours=13 * 40)):
        repaired = await asyncio.to_thread(
            CliRunner().invoke,
            cli,
            ["progress", "rebuild"],
            env={"PATRON_DATABASE_URL": settings.database_url},
        )
        assert repaired.exit_code == 0, repaired.output
        code, output = await rebuild_check(settings)
    # The progress is rewritten from the logs; a missing reward is reported, never issued here.
    assert code == 1
    assert [line for line in output.splitlines() if "difference" not in line] == [
        line for line in output.splitlines() if "reached but not rewarded" in line
    ], output
    assert output.count("reached but not rewarded") == 1, output
