"""Every database test runs twice: on SQLite and on PostgreSQL, built by the real migrations.

PostgreSQL is found at PATRON_TEST_POSTGRES_URL (default: the local server). When it is not
reachable those tests are skipped with a loud notice, unless PATRON_REQUIRE_POSTGRES=1
(as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from patron.app import Routes, build_routes, create_app
from patron.auth import service as keys
from patron.auth.roles import Role
from patron.config import Settings
from patron.db import migrate
from patron.db.base import Base
from patron.db.engine import Database
from patron.db.session import transaction
from patron.state import AppState

POSTGRES_ADMIN_URL = os.environ.get(
    "PATRON_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("PATRON_REQUIRE_POSTGRES") == "1"
_skipped_postgres: list[str] = []


def postgres_reachable() -> bool:
    parsed = urlparse(POSTGRES_ADMIN_URL.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=1):
            return True
    except OSError:
        return False


async def _create_postgres_database() -> str:
    name = f"patron_test_{secrets.token_hex(4)}"
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


def require_postgres(nodeid: str) -> None:
    """Skip (loudly) or, under PATRON_REQUIRE_POSTGRES=1, fail when PostgreSQL is not there."""
    if postgres_reachable():
        return
    message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
    if REQUIRE_POSTGRES:
        pytest.fail(f"{message} and PATRON_REQUIRE_POSTGRES=1")
    _skipped_postgres.append(nodeid)
    pytest.skip(f"{message}: the PostgreSQL half of the suite did NOT run")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_postgres(request.node.nodeid)
    return str(request.param)


@pytest.fixture
async def fresh_postgres_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """An empty PostgreSQL database of its own, for tests that start real servers."""
    require_postgres(request.node.nodeid)
    url = await _create_postgres_database()
    try:
        yield url
    finally:
        await _drop_postgres_database(url)


@asynccontextmanager
async def migrated_database(backend: str, directory: Path) -> AsyncIterator[str]:
    """A new migrated database: a SQLite file in `directory`, or a PostgreSQL database dropped
    afterwards."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / 'patron.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
        return
    url = await _create_postgres_database()
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _drop_postgres_database(url)


@pytest.fixture(scope="session")
async def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with migrated_database(backend, Path(tmp_path_factory.mktemp("sqlite"))) as url:
        yield url


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "access_log": False,
        "base_url": "http://patron.test",
        "contact_custom_attributes": ["favouriteStore", "shoeSize"],
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def routes() -> Routes:
    """Patron's routes, built once per test process and shared by every test's application
    (FastAPI's route building costs about half a second an application)."""
    return build_routes()


@pytest.fixture
async def app(settings: Settings, routes: Routes, request: pytest.FixtureRequest) -> AsyncIterator[FastAPI]:
    """A new application for every test, built by the composition root on the session's
    migrated database: its caches, subscribers and queues start empty, so nothing one test
    did reaches the next. Its embedded worker runs only for tests marked `embedded_worker`:
    its ten loops' first polls cost more than most tests do."""
    background = request.node.get_closest_marker("embedded_worker") is not None
    application = create_app(settings, routes=routes, background=background)
    async with application.router.lifespan_context(application):
        yield application
        if background and application.state.patron.database.is_sqlite:
            await _imports_settled(application.state.patron.database)


@pytest.fixture
def state(app: FastAPI) -> AppState:
    """What the composition root built for this test's application."""
    built: AppState = app.state.patron
    return built


@pytest.fixture
def database(state: AppState) -> Database:
    return state.database


async def _empty_tables(database: Database) -> None:
    """Every row gone and every id sequence back at 1, as a fresh migration leaves them.

    DELETE, child tables first, rather than TRUNCATE: the application's embedded worker is
    already polling (the outbox, deliveries, expiry), and TRUNCATE's exclusive table locks
    queue behind its reads and meet its row locks in the opposite order, which PostgreSQL ends
    as a deadlock only after `deadlock_timeout` (a second): that cost about 2.7 s per test. A
    DELETE takes row locks only; should it still meet the worker's, PostgreSQL is asked to notice
    within 50 ms, and ours is tried again (the worker retries its own)."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    deletes = [text(f'DELETE FROM "{name}"') for name in tables]
    if database.is_sqlite:
        # Only the tables a test wrote to: sixty DELETEs that find nothing still cost a write
        # transaction, and most tests touch a handful of tables.
        found = " UNION ALL ".join(
            f'SELECT {position} FROM (SELECT 1 FROM "{name}" LIMIT 1)' for position, name in enumerate(tables)
        )
        async with database.write_engine.begin() as connection:
            written = {row[0] for row in await connection.execute(text(found))}
            for position in sorted(written):
                await connection.execute(deletes[position])
        return
    restart = text(
        "SELECT setval(c.oid, 1, false) FROM pg_class c "
        "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
    )
    for attempt in range(10):
        try:
            async with database.write_engine.begin() as connection:
                await connection.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
                for statement in deletes:
                    await connection.execute(statement)
                await connection.execute(restart)
            return
        except DBAPIError as error:
            if "deadlock" not in str(error).lower() or attempt == 9:
                raise


@pytest.fixture
async def client(app: FastAPI, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the test's application, over an emptied database."""
    await _empty_tables(database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://patron.test") as http:
        yield http


async def _imports_settled(database: Database, seconds: float = 120) -> None:
    """Wait for the bulk imports a test started to end before its application stops, so none
    is cut off mid-run and left for the next test's application to take over. (On PostgreSQL
    the next test's TRUNCATE waits for a running import's transaction by itself, and takes a
    queued one away.)"""
    deadline = asyncio.get_running_loop().time() + seconds
    unfinished = text("SELECT count(*) FROM contact_imports WHERE status IN ('Queued', 'Running')")
    while asyncio.get_running_loop().time() < deadline:
        async with database.read_engine.connect() as connection:
            if not (await connection.execute(unfinished)).scalar_one():
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"bulk imports still running {seconds} s after the test")


async def issue_token(database: Database, role: Role, name: str = "test") -> str:
    async with transaction(database) as session:
        return (await keys.create_key(session, name=name, role=role)).token


@pytest.fixture
async def admin_token(client: httpx.AsyncClient, database: Database) -> str:
    return await issue_token(database, Role.ADMIN, "admin")


@pytest.fixture
async def integration_token(client: httpx.AsyncClient, database: Database) -> str:
    return await issue_token(database, Role.INTEGRATION, "till")


@pytest.fixture
def admin(admin_token: str) -> dict[str, str]:
    return {"apikey": admin_token}


@pytest.fixture
def till(integration_token: str) -> dict[str, str]:
    return {"apikey": integration_token}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked postgres_only is not collected on SQLite at all: it neither runs there nor
    counts as passed (an early return would)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("backend") == "sqlite"
        (dropped if on_sqlite and item.get_closest_marker("postgres_only") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _postgres_skips(terminalreporter: pytest.TerminalReporter) -> bool:
    """Skips of this process, or, under pytest-xdist, those its workers reported."""
    skipped = terminalreporter.stats.get("skipped", [])
    return bool(_skipped_postgres) or any("PostgreSQL half" in str(report.longrepr) for report in skipped)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_skips(terminalreporter):
        terminalreporter.section("PostgreSQL NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"PostgreSQL was not reachable at {POSTGRES_ADMIN_URL}: every PostgreSQL variant of the "
            "database tests was SKIPPED. Start PostgreSQL (or set PATRON_TEST_POSTGRES_URL) and run again.",
            red=True,
            bold=True,
        )
