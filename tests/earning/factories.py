"""Earning rules, articles and point reads as the earning tests need them, through the API."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from patron.cli import app as cli
from patron.config import Settings
from patron.db.engine import Database
from patron.db.session import transaction
from patron.models import PointsOwed


async def make_rule(client: httpx.AsyncClient, admin: dict[str, str], **fields: Any) -> dict[str, Any]:
    made = await client.post("/api/v3/point-rules", json=fields, headers=admin)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def make_articles(client: httpx.AsyncClient, admin: dict[str, str], rows: list[dict[str, Any]]) -> None:
    made = await client.post("/api/v3/articles", json=rows, headers=admin)
    assert made.status_code == 200, made.text


async def account(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, definition: int
) -> dict[str, Any]:
    found = await client.get("/api/v3/point-accounts", params={"contactId": contact}, headers=till)
    assert found.status_code == 200, found.text
    body = found.json()
    items = body["items"] if isinstance(body, dict) else body
    [mine] = [a for a in items if a["definitionId"] == definition]
    return dict(mine)


async def held(
    client: httpx.AsyncClient, till: dict[str, str], contact: str, definition: int
) -> tuple[float, float]:
    """(balance, pendingPoints) of the contact's account."""
    found = await account(client, till, contact, definition)
    return found["balance"], found["pendingPoints"]


async def owed(database: Database, contact: str, definition: int) -> Decimal:
    async with transaction(database, write=False) as session:
        stmt = select(PointsOwed.amount).where(
            PointsOwed.contact_id == uuid.UUID(contact), PointsOwed.definition_id == definition
        )
        return (await session.execute(stmt)).scalar_one_or_none() or Decimal(0)


def _rebuild_check(settings: Settings) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["progress", "rebuild", "--check"], env={"PATRON_DATABASE_URL": settings.database_url}
    )
    return result.exit_code, result.output


async def rebuild_check(settings: Settings) -> tuple[int, str]:
    """`patron progress rebuild --check`: its exit code and what it printed (the command runs
    its own event loop, so in a thread of its own)."""
    return await asyncio.to_thread(_rebuild_check, settings)
