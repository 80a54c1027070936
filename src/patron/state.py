"""What every request and background loop can reach: settings, the database, the key verifier."""

from __future__ import annotations

import asyncio
import contextlib
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from patron.auth.service import KeyVerifier
from patron.config import Settings
from patron.db.engine import Database


@dataclass
class AppState:
    settings: Settings
    database: Database
    verifier: KeyVerifier
    # Set when a bulk import is queued, so the import loop starts at once instead of polling.
    imports_queued: asyncio.Event = field(default_factory=asyncio.Event)
    # SQLite has one writer at a time and lets waiting writers poll for it, in no order, so
    # an unlucky one waits seconds. Writers in this process queue here instead, first come
    # first served, and meet SQLite's lock only when it is theirs.
    sqlite_write_turns: asyncio.Lock = field(default_factory=asyncio.Lock)

    def write_turn(self) -> AbstractAsyncContextManager[object]:
        """Wait for this process's turn to write (SQLite); nothing to wait for on PostgreSQL."""
        return self.sqlite_write_turns if self.database.is_sqlite else contextlib.nullcontext()
