"""`patron progress rebuild --check` after a randomised workload, and on a corrupted row."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import httpx
from sqlalchemy import text
from typer.testing import CliRunner

from patron.cli import app as cli
from patron.config import Settings
from patron.db.engine import Database
from tests.challenges.factories import make_definition
from tests.clock import frozen_at
from tests.factories import make_contact_id as make_contact


def run_check(settings: Settings) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["progress", "rebuild", "--check"], env={"PATRON_DATABASE_URL": settings.database_url}
    )
    return result.exit_code, result.output


async def test_check_finds_nothing_after_a_random_workload_and_reports_a_corrupted_row(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    till: dict[str, str],
    database: Database,
    settings: Settings,
) -> None:
    from datetime import UTC, datetime, timedelta

    rng = random.Random(11)
    start = datetime(2025, 1, 31, 9, tzinfo=UTC)
    contacts = [await make_contact(client, till) for _ in range(12)]
    with frozen_at(start):
        definitions = [
            await make_definition(client, admin, name="plain", requiredNumberOfCheckpoints=6),
            await make_definition(
                client,
                admin,
                name="challenge",
                requiredNumberOfCheckpoints=4,
                isRecurring=True,
                rewards={"onCompletion": {"type": "points", "amount": 5}},
            ),
            await make_definition(
                client, admin, name="month", requiredNumberOfCheckpoints=9, expirationMonths=1
            ),
        ]
        point_definition = (
            await client.post("/api/v3/point-accounts/definitions", json={"name": "Bonus"}, headers=admin)
        ).json()["id"]
    for step in range(15):
        with frozen_at(start + timedelta(days=3 * step, minutes=step)):
            rows = [
                {
                    "definitionId": rng.choice(definitions)["id"],
                    "contactId": rng.choice(contacts),
                    "checkpointAmount": rng.randint(0, 4),
                }
                for _ in range(rng.randint(1, 30))
            ]
            assert (
                await client.post("/api/v3/challenges/checkpoints", json=rows, headers=till)
            ).status_code == 200
            points = [
                {
                    "contactId": rng.choice(contacts),
                    "definitionId": point_definition,
                    "amount": rng.randint(-20, 30),
                }
                for _ in range(5)
            ]
            assert (
                await client.post("/api/v3/point-accounts/transactions", json=points, headers=till)
            ).status_code == 200

    code, output = await asyncio.to_thread(run_check, settings)
    assert (code, output.strip()) == (0, "No differences.")
    for contact in contacts:
        accounts = (
            await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
        ).json()
        for account in accounts:
            ledger = (
                await client.get(
                    "/api/v3/point-accounts/transactions",
                    params={"accountId": account["id"], "filter": "Active", "count": 1000},
                    headers=till,
                )
            ).json()["items"]
            assert Decimal(str(account["balance"])) == sum(
                (Decimal(str(t["amount"])) for t in ledger), Decimal(0)
            )
            assert Decimal(str(account["balance"])) >= 0

    async with database.write_engine.begin() as connection:
        await connection.execute(
            text("UPDATE challenges SET completed_checkpoints = completed_checkpoints + 1 WHERE cycle = 0")
        )
    code, output = await asyncio.to_thread(run_check, settings)
    assert code == 1
    assert "completed_checkpoints" in output
