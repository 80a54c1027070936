"""Fixtures of the client's tests: real `patron serve` processes on SQLite and PostgreSQL,
and a scripted server for the retry rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from backoffice import Backoffice
from patron_servers import Database, PatronServer, postgres_reachable
from scripted_server import ScriptedServer


@dataclass(frozen=True)
class RunningPatron:
    server: PatronServer
    till_token: str
    backoffice: Backoffice

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def patron(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPatron]:
    """One `patron serve` per database (and pytest-xdist worker); each test makes its own customers."""
    directory = tmp_path_factory.mktemp("patron")
    if request.param == "postgresql":
        if not postgres_reachable():
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432; the client's tests need it")
        database = Database.postgres()
    else:
        database = Database.sqlite(directory)
    server = PatronServer(database, directory / "server.log")
    try:
        server.start()
        backoffice = Backoffice(server.url, server.admin_token)
        yield RunningPatron(server, server.integration_token(), backoffice)
        backoffice.close()
    finally:
        server.stop()
        database.drop()


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture
def outbox_path(tmp_path: Path) -> Path:
    return tmp_path / "till-outbox.db"
