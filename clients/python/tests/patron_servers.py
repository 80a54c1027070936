"""Real `patron serve` processes for the client's tests, each on a database of its own, and
real kills (SIGKILL to the whole process group) for the fault scenarios."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

# The client's tests listen on this block, split between pytest-xdist workers so two workers
# never probe the same port.
PORTS = range(8720, 8770)
POSTGRES_ADMIN = os.environ.get(
    "PATRON_CLIENT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
STARTUP_SECONDS = 60.0


def _my_ports() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return PORTS
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    size = len(PORTS) // workers
    first = PORTS.start + int(worker.removeprefix("gw")) * size
    return range(first, first + size)


def free_port(taken: Collection[int] = ()) -> int:
    for port in _my_ports():
        if port in taken:
            continue
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {_my_ports()}")


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@dataclass(frozen=True)
class Database:
    """A database for one server: a SQLite file, or a PostgreSQL database dropped at the end."""

    url: str
    postgres_name: str | None = None

    @classmethod
    def sqlite(cls, directory: Path) -> Database:
        return cls(f"sqlite+aiosqlite:///{directory / 'patron.db'}")

    @classmethod
    def postgres(cls) -> Database:
        name = f"patron_client_{secrets.token_hex(4)}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return cls(
            POSTGRES_ADMIN.replace("postgresql://", "postgresql+asyncpg://").rsplit("/", 1)[0] + f"/{name}",
            name,
        )

    def terminate_connections(self) -> int:
        """Every connection of Patron to this database cut at once, as a failover does."""
        assert self.postgres_name is not None
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.postgres_name,),
            ).fetchall()
        return sum(1 for (done,) in rows if done)

    def drop(self) -> None:
        if self.postgres_name is None:
            return
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


class PatronServer:
    """`patron serve` on a port of the block, with a bootstrap admin key; `integration_token`
    makes a till's key with `patron keys create`, as an operator would."""

    def __init__(self, database: Database, log: Path, **settings: str) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.admin_token = f"admintest{secrets.token_hex(4)}.{secrets.token_urlsafe(24)}"
        self.environment = {
            **os.environ,
            "PATRON_DATABASE_URL": database.url,
            "PATRON_BOOTSTRAP_ADMIN_KEY": self.admin_token,
            "PATRON_ACCESS_LOG": "false",
            "PATRON_LOG_LEVEL": "WARNING",
            "PATRON_RATE_LIMITS": "false",
            # A request cut off by a kill holds its Idempotency-Key until this lease runs out.
            "PATRON_IDEMPOTENCY_LEASE_SECONDS": "2",
            **{f"PATRON_{name.upper()}": value for name, value in settings.items()},
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [_bin("patron"), "serve", "--port", str(self.port)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"patron serve exited with {self.process.returncode}: {self.log.read_text()}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"patron serve did not answer within {STARTUP_SECONDS}s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, requests in flight cut off."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def integration_token(self, name: str = "till") -> str:
        made = subprocess.run(
            [_bin("patron"), "keys", "create", "--role", "integration", "--name", name, "--json"],
            env=self.environment,
            capture_output=True,
            check=True,
        )
        token: str = json.loads(made.stdout)["token"]
        return token
