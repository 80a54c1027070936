"""The request boundary: one unit of work per request, committed only when the answer is a
success, and Idempotency-Key handling around it.

The response is held until the commit has succeeded, so an acknowledged write is durable;
a commit that fails becomes a 503 the client can retry. For a POST with an Idempotency-Key,
the stored response is written in the same transaction as the work it describes.

PATRON_TEST_EXIT_AFTER_COMMIT (test only) ends the process between a commit and its answer,
the one moment a crash leaves a write done but unacknowledged.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patron.api.asgi import header, send_error
from patron.api.caller import caller_of
from patron.api.handlers import bad_data_error, is_bad_data, is_disconnect
from patron.db.session import UnitOfWork
from patron.errors import (
    BadRequest,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    PatronError,
    ServiceUnavailable,
)
from patron.idempotency import service as idempotency
from patron.kit.secrets import fingerprint
from patron.state import AppState

log = logging.getLogger("patron.boundary")

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Headers a replay repeats; per-request ones (request id, length) are set afresh.
_REPLAYED_HEADERS = frozenset({"content-type", "location"})
# The exit status of a process ended by PATRON_TEST_EXIT_AFTER_COMMIT (EX_TEMPFAIL).
TEST_EXIT_STATUS = 75


def _request_hash(scope: Scope) -> str:
    identity = b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")])
    return fingerprint(identity + b"\n" + scope.get("patron.body", b""))


# The longest key stored whole: a longer one is refused, never cut (two keys cut alike would
# be one).
MAX_IDEMPOTENCY_KEY = 255


def _idempotency_key(scope: Scope) -> str | None:
    if scope["method"] != "POST":
        return None
    return (header(scope, b"idempotency-key") or "").strip() or None


def _key_too_long(key: str) -> PatronError:
    return BadRequest(
        f"Idempotency-Key is {len(key)} characters long; at most {MAX_IDEMPOTENCY_KEY} are taken.",
        details=[
            {
                "field": "Idempotency-Key",
                "in": "header",
                "message": f"at most {MAX_IDEMPOTENCY_KEY} characters",
            }
        ],
    )


@dataclass(frozen=True, slots=True)
class HeldKey:
    """An Idempotency-Key this request holds while it runs: whose, which, and the lease that
    says the holder is this request."""

    caller: str
    key: str
    lease: str


async def _send_unavailable(send: Send, scope: Scope) -> None:
    await send_error(send, ServiceUnavailable(), scope.get("patron.request_id"), [(b"retry-after", b"1")])


class Boundary:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = _idempotency_key(scope)
        try:
            caller = await caller_of(scope, self.state) if key else None
            if key and caller and len(key) > MAX_IDEMPOTENCY_KEY:
                await send_error(send, _key_too_long(key), scope.get("patron.request_id"))
                return
            claim = await self._claim(scope, caller.key_id, key) if key and caller else None
        except (DBAPIError, PoolTimeout) as exc:
            # Claiming the key touches the database before any route runs; a lost
            # connection there is a 503 like anywhere else.
            if not is_disconnect(exc):
                raise
            log.warning("idempotency claim failed, database unavailable: %s", exc)
            await _send_unavailable(send, scope)
            return
        if key is None or caller is None or claim is None:
            await self._run(scope, receive, send, None)
            return
        request_id = scope.get("patron.request_id")
        if isinstance(claim, PatronError):
            await send_error(send, claim, request_id)
        elif isinstance(claim, idempotency.Replay):
            headers = [(name.encode(), value.encode()) for name, value in claim.headers]
            headers += [
                (b"content-length", str(len(claim.body)).encode()),
                (b"idempotent-replayed", b"true"),
            ]
            await send({"type": "http.response.start", "status": claim.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": claim.body})
        else:
            await self._run(scope, receive, send, HeldKey(caller.key_id, key, claim.lease))

    async def _claim(self, scope: Scope, caller: str, key: str) -> Any:
        settings = self.state.settings
        async with self.state.database.write_sessions() as session:
            claim = await idempotency.claim(
                session,
                caller=caller,
                key=key,
                request_hash=_request_hash(scope),
                lease_seconds=settings.idempotency_lease_seconds,
                ttl=timedelta(hours=settings.idempotency_ttl_hours),
            )
            await session.commit()
        if isinstance(claim, idempotency.Mismatch):
            return IdempotencyKeyReused()
        if isinstance(claim, idempotency.InFlight):
            return IdempotencyKeyInFlight()
        return claim

    async def _run(self, scope: Scope, receive: Receive, send: Send, held: HeldKey | None) -> None:
        if scope["method"] in _READ_METHODS:
            await self._run_unit(scope, receive, send, held)
            return
        async with self.state.write_turn():
            await self._run_unit(scope, receive, send, held)

    async def _run_unit(self, scope: Scope, receive: Receive, send: Send, held: HeldKey | None) -> None:
        unit = UnitOfWork(
            self.state.database, write=scope["method"] not in _READ_METHODS, shared=held is not None
        )
        scope["patron.unit"] = unit
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, hold)
            assert start is not None, "the application sent no response"
            body = b"".join(chunks)
            status = int(start["status"])
            if status < 400:
                if held is not None:
                    await self._store(unit, held, status, start, body)
                await unit.commit()
                self._exit_if_testing(scope)
            else:
                await unit.rollback()
                if held is not None:
                    await self._store_apart(held, status, start, body)
        except (DBAPIError, PoolTimeout) as exc:
            await unit.rollback()
            await self._release(held)
            if is_bad_data(exc):
                await send_error(send, bad_data_error(), scope.get("patron.request_id"))
                return
            if not is_disconnect(exc):
                raise
            log.warning("commit failed, database unavailable: %s", exc)
            await _send_unavailable(send, scope)
            return
        except BaseException:
            await unit.rollback()
            await self._release(held)
            raise
        finally:
            await unit.close()
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _exit_if_testing(self, scope: Scope) -> None:
        """Test only: end the process now, committed but unanswered (see the module's doc)."""
        path = self.state.settings.test_exit_after_commit
        if path and scope["path"] == path and scope["method"] not in _READ_METHODS:
            log.critical("PATRON_TEST_EXIT_AFTER_COMMIT: exiting after the commit of %s", path)
            os._exit(TEST_EXIT_STATUS)

    @staticmethod
    def _replayable_headers(start: Message) -> list[list[str]]:
        return [
            [name.decode("latin-1"), value.decode("latin-1")]
            for name, value in start.get("headers", [])
            if name.decode("latin-1").lower() in _REPLAYED_HEADERS
        ]

    async def _store(self, unit: UnitOfWork, held: HeldKey, status: int, start: Message, body: bytes) -> None:
        await idempotency.complete(
            unit.session,
            caller=held.caller,
            key=held.key,
            lease=held.lease,
            status_code=status,
            headers=self._replayable_headers(start),
            body=body,
        )

    async def _store_apart(self, held: HeldKey, status: int, start: Message, body: bytes) -> None:
        """A refused request changed nothing; keep its answer (or free the key after a 5xx)."""
        if status >= 500:
            await self._release(held)
            return
        unit = UnitOfWork(self.state.database, write=True)
        try:
            await self._store(unit, held, status, start, body)
            await unit.commit()
        finally:
            await unit.close()

    async def _release(self, held: HeldKey | None) -> None:
        if held is None:
            return
        unit = UnitOfWork(self.state.database, write=True)
        try:
            await idempotency.release(unit.session, caller=held.caller, key=held.key, lease=held.lease)
            await unit.commit()
        except (DBAPIError, PoolTimeout) as exc:
            # The lease runs out by itself; a retry can take the key over then.
            log.warning("could not release idempotency key: %s", exc)
        finally:
            await unit.close()
