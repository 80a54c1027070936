"""Engines for the configured database.

SQLite gets WAL, foreign keys and a busy timeout, and two engines on one file: the write
engine opens every transaction with BEGIN IMMEDIATE, so a write request holds SQLite's
single write lock from its first statement and validates under it; the read engine uses
plain deferred transactions that never block writers in WAL mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from patron.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
# An execution option a session passes before its first statement to bound how long its
# transaction waits for SQLite's write lock (see db.locking.limit_lock_wait).
LOCK_WAIT_OPTION = "patron_lock_wait_ms"


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        wait_ms = int(connection.get_execution_options().get(LOCK_WAIT_OPTION, SQLITE_BUSY_TIMEOUT_MS))
        if connection.info.get("busy_timeout_ms", SQLITE_BUSY_TIMEOUT_MS) != wait_ms:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
            connection.info["busy_timeout_ms"] = wait_ms
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info["write_locked"] = immediate

    return engine


# A connection the server cut (pg_terminate_backend, restart, failover) or that asyncpg left
# mid-operation: SQLSTATE class 08 or 57P01-57P03, or asyncpg's own errors for it.
_LOST_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
_LOST_CONNECTION_MESSAGES = ("connection is closed", "another operation is in progress")


def _lost_connection(error: BaseException | None) -> bool:
    cause = getattr(error, "__cause__", None) or error
    if isinstance(
        cause, asyncpg.exceptions.ConnectionDoesNotExistError | asyncpg.exceptions.InternalClientError
    ):
        return True
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_LOST_CONNECTION_STATES):
        return True
    return isinstance(cause, asyncpg.exceptions.InterfaceError) and any(
        message in str(cause) for message in _LOST_CONNECTION_MESSAGES
    )


def _postgres_engine(url: str, pool_size: int, *, autocommit: bool = False) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        # The connection used last is handed out next: after a burst, the few that a quieter
        # load needs stay hot (prepared statements, plans, the server backend's caches) rather
        # than every pooled connection taking turns cold.
        pool_use_lifo=True,
        # Reads run without BEGIN/ROLLBACK: two round trips fewer on every GET.
        **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}),
        connect_args={"server_settings": {"application_name": "patron", "timezone": "UTC"}},
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # A pooled connection the server closed while idle (a restart, pg_terminate_backend)
        # is known closed as soon as the event loop saw the socket end: replace it here, for
        # free, rather than pinging the server on every checkout (three round trips).
        if dbapi_connection._connection.is_closed():
            raise DisconnectionError("connection closed by the server while idle")

    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # SQLAlchemy asks asyncpg whether the connection is closed, which is not yet true
        # for one cut in the middle of a statement. Calling it a disconnect discards that
        # connection and the rest of the pool, instead of handing a broken one to the next
        # request; the request itself becomes a 503 the client retries.
        if _lost_connection(context.original_exception):
            context.is_disconnect = True

    return engine


def create_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    """`immediate`: an engine for writes (SQLite: BEGIN IMMEDIATE); otherwise one for reads
    (SQLite: deferred BEGIN; PostgreSQL: autocommit, each statement its own snapshot)."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate=immediate, pool_size=pool_size)
    return _postgres_engine(url, pool_size, autocommit=not immediate)


@dataclass
class Database:
    """The engines and session factories of one deployment."""

    write_engine: AsyncEngine
    read_engine: AsyncEngine
    dialect: str
    write_sessions: async_sessionmaker[AsyncSession] = field(init=False)
    read_sessions: async_sessionmaker[AsyncSession] = field(init=False)

    def __post_init__(self) -> None:
        self.write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def create_database(settings: Settings) -> Database:
    url = settings.database_url
    dialect = make_url(url).get_backend_name()
    write = create_engine(url, immediate=True, pool_size=settings.db_pool_size)
    if dialect == "sqlite":
        read = create_engine(url, immediate=False, pool_size=settings.db_pool_size)
    else:
        read = create_engine(
            settings.database_read_url or url, immediate=False, pool_size=settings.db_pool_size
        )
    return Database(write_engine=write, read_engine=read, dialect=dialect)
