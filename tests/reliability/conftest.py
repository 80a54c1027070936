"""A PostgreSQL database of its own, migrated, for the fault tests that cut connections, so
the shared test database and the in-process app on it are not touched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from patron.db import migrate


@pytest.fixture
async def own_postgres_url(fresh_postgres_url: str) -> AsyncIterator[str]:
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    yield fresh_postgres_url
