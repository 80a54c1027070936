"""The promotions migration applies and reverts cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from patron.db import migrate
from tests.conftest import _create_postgres_database, _drop_postgres_database

TABLES = {"promotions", "promotion_assignments", "promotion_assignment_receipts"}


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


async def _round_trip(url: str) -> None:
    await asyncio.to_thread(migrate.upgrade, url)
    assert await _tables(url) >= TABLES
    await asyncio.to_thread(migrate.downgrade, url, "0001_foundation")
    assert not TABLES & await _tables(url)
    await asyncio.to_thread(migrate.upgrade, url)
    assert await _tables(url) >= TABLES


async def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path: Path) -> None:
    await _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'm.db'}")


async def test_upgrade_downgrade_upgrade_on_postgresql() -> None:
    url = await _create_postgres_database()
    try:
        await _round_trip(url)
    finally:
        await _drop_postgres_database(url)
