"""The migration tree goes up, down to nothing, and up again on both databases; each revision's
downgrade takes away what its upgrade made, and no more."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from patron.db import migrate
from patron.db.base import Base
from tests.conftest import _create_postgres_database, _drop_postgres_database, require_postgres

PROMOTION_TABLES = {"promotions", "promotion_assignments", "promotion_assignment_receipts"}


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _empty_database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database of the test's own with nothing in it (on PostgreSQL, drop it when done)."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/migrations.db"
    require_postgres(request.node.nodeid)
    return await _create_postgres_database()


async def test_upgrade_downgrade_upgrade(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = await _empty_database(backend, tmp_path, request)
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


async def test_each_revision_goes_down_and_up_again_on_its_own(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """One revision at a time up from nothing, then one at a time down: at every revision the
    tables are those its upgrade left, whichever way it was reached."""
    revisions = [script.revision for script in ScriptDirectory(str(migrate.MIGRATIONS)).walk_revisions()]
    revisions.reverse()  # base first
    url = await _empty_database(backend, tmp_path, request)
    try:
        going_up: dict[str, set[str]] = {}
        for revision in revisions:
            await asyncio.to_thread(migrate.upgrade, url, "+1")
            assert (await asyncio.to_thread(migrate.current, url)).split()[0] == revision
            going_up[revision] = await _tables(url)
        assert going_up[revisions[-1]] == set(Base.metadata.tables)
        for revision in reversed(revisions):
            assert await _tables(url) == going_up[revision], f"at {revision} on the way down"
            await asyncio.to_thread(migrate.downgrade, url, "-1")
        assert await _tables(url) == set()
    finally:
        if backend == "postgresql":
            await _drop_postgres_database(url)


async def test_the_promotions_revision_takes_its_tables_away_and_brings_them_back(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Down from the head to the receipts revision (every later one undone on the way), the
    promotion tables are gone and everything before them stays; up again, they are back."""
    url = await _empty_database(backend, tmp_path, request)
    try:
        await asyncio.to_thread(migrate.upgrade, url, "0002_receipts")
        before_promotions = await _tables(url)
        assert not before_promotions & PROMOTION_TABLES
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) >= PROMOTION_TABLES | before_promotions
        await asyncio.to_thread(migrate.downgrade, url, "0002_receipts")
        assert await _tables(url) == before_promotions
        await asyncio.to_thread(migrate.upgrade, url, "0003_promotions")
        assert await _tables(url) == before_promotions | PROMOTION_TABLES
        await asyncio.to_thread(migrate.upgrade, url)
        assert await _tables(url) == set(Base.metadata.tables)
    finally:
        if backend == "postgresql":
            await _drop_postgres_database(url)


def _differences(sync_connection: object) -> list[object]:
    context = MigrationContext.configure(sync_connection)  # type: ignore[arg-type]
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrations_build_the_schema_the_models_describe(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = await _empty_database(backend, tmp_path, request)
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
