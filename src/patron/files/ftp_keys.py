"""Key checks for `patron ftp`: pyftpdlib's loop is synchronous and runs in its own thread, so
keys are verified (KeyVerifier, as every API request) on an asyncio loop in a thread of its own."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import TimeoutError as FutureTimeout

from patron.auth.credentials import Credentials
from patron.auth.roles import INTEGRATIONS
from patron.auth.service import KeyVerifier
from patron.db.engine import Database

CHECK_SECONDS = 10.0


class KeyChecks:
    """`checks(key_id, secret)`: True for a live admin or integration key."""

    def __init__(self, verifier: KeyVerifier, database: Database) -> None:
        self._verifier = verifier
        self._database = database
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ftp-key-checks", daemon=True)
        self._thread.start()

    async def _verified(self, key_id: str, secret: str) -> bool:
        caller = await self._verifier.verify(self._database.read_sessions, Credentials(key_id, secret))
        return caller is not None and caller.role in INTEGRATIONS

    def __call__(self, key_id: str, secret: str) -> bool:
        running = asyncio.run_coroutine_threadsafe(self._verified(key_id, secret), self._loop)
        try:
            return running.result(CHECK_SECONDS)
        except FutureTimeout:
            running.cancel()
            return False

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._database.dispose(), self._loop).result(CHECK_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CHECK_SECONDS)
        self._loop.close()
