"""The migration tree goes up, down to nothing, and up again on both databases."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from patron.db import migrate
from patron.db.base import Base
from tests.conftest import _create_postgres_database, _drop_postgres_database


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _empty_database(backend: str, tmp_path: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/migrations.db"
    return await _create_postgres_database()


async def test_upgrade_downgrade_upgrade(backend: str, tmp_path: pytest.TempPathFactory) -> None:
    url = await _empty_database(backend, tmp_path)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == set(Base.metadata.tables)
        assert "(head)" in await asyncio.to_thread(migrate.current, url)
        await asyncio.to_thread(migrate.downgrade, url, "base")
        assert await _tables(url) == set()
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == set(Base.metadata.tables)
    finally:
        if backend == "postgresql":
            await _drop_postgres_database(url)


def _differences(sync_connection: object) -> list[object]:
    context = MigrationContext.configure(sync_connection)  # type: ignore[arg-type]
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrations_build_the_schema_the_models_describe(
    backend: str, tmp_path: pytest.TempPathFactory
) -> None:
    url = await _empty_database(backend, tmp_path)
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
        await engine.dispose()
        assert differences == []
    finally:
        if backend == "postgresql":
            await _drop_postgres_database(url)


async def test_rewritten_tables_keep_room_on_their_pages(fresh_postgres_url: str) -> None:
    """PostgreSQL: cards and assignments are rewritten in place, so their pages are filled only
    so far (the rest is for their rows' next versions)."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    engine = create_async_engine(fresh_postgres_url)
    async with engine.connect() as connection:
        options = await connection.execute(
            text(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN ('challenges', 'promotion_assignments')"
            )
        )
        found = {name: reloptions for name, reloptions in options}
    await engine.dispose()
    assert found == {"challenges": ["fillfactor=50"], "promotion_assignments": ["fillfactor=85"]}
