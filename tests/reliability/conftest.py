"""A PostgreSQL database of its own for the fault tests that cut connections, so the shared
test database and the in-process app on it are not touched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from patron.db import migrate
from tests.conftest import (
    REQUIRE_POSTGRES,
    _create_postgres_database,
    _drop_postgres_database,
    postgres_reachable,
)


@pytest.fixture
async def own_postgres_url() -> AsyncIterator[str]:
    if not postgres_reachable():
        message = "PostgreSQL is not reachable: the connection fault test did NOT run"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    url = await _create_postgres_database()
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        yield url
    finally:
        await _drop_postgres_database(url)
