"""Cross-origin calls (CORS), per key: a page of another origin may call Patron only with an
end-user token signed by a key whose allowedOrigins name that origin; everything else from
another origin is refused, preflights included. Same-origin and server-to-server calls (no
Origin header) pass untouched."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from patron.auth import service as keys
from patron.auth.end_user_tokens import key_id_of
from patron.auth.end_users import TOKEN_HEADER
from patron.errors import Forbidden, PatronError
from patron.kit import clock

log = logging.getLogger("patron.widget")

# What the widget sends and reads; a preflight asking for more is refused.
ALLOWED_METHODS = "GET"
ALLOWED_HEADERS = "x-enduser-access-token, x-account-id, accept, content-type"
PREFLIGHT_SECONDS = "600"
_ERROR_HEADERS = ((b"content-type", b"application/json"),)


class KeyOrigins:
    """Each key's allowed origins, kept for `ttl` seconds like a verified key, so a widget's
    every call costs no query; built once per application."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._by_key: dict[str, tuple[float, frozenset[str]]] = {}
        self._any: tuple[float, frozenset[str]] | None = None

    def _fresh(self, stamped: tuple[float, frozenset[str]] | None) -> frozenset[str] | None:
        if stamped is None or clock.monotonic() - stamped[0] >= self._ttl:
            return None
        return stamped[1]

    async def of_key(
        self, sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]], key_id: str
    ) -> frozenset[str]:
        found = self._fresh(self._by_key.get(key_id))
        if found is None:
            async with sessions() as session:
                key = await keys.active_key(session, key_id)
            found = frozenset(key.allowed_origins) if key is not None else frozenset()
            if len(self._by_key) > 10_000:
                self._by_key.clear()
            self._by_key[key_id] = (clock.monotonic(), found)
        return found

    async def of_any_key(
        self, sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]]
    ) -> frozenset[str]:
        """The origins some live key admits: a preflight carries no token to say which key."""
        found = self._fresh(self._any)
        if found is None:
            async with sessions() as session:
                found = frozenset(
                    origin
                    for key in await keys.list_keys(session)
                    if key.revoked_on is None
                    for origin in key.allowed_origins
                )
            self._any = (clock.monotonic(), found)
        return found


def _own_origin(scope: Scope, headers: Headers, base_url: str) -> str:
    """Patron's own origin: PATRON_BASE_URL's when set (behind a proxy), else as addressed."""
    if base_url:
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


class WidgetOrigins:
    def __init__(
        self,
        app: ASGIApp,
        *,
        origins: KeyOrigins,
        sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]],
        base_url: str,
    ) -> None:
        self.app = app
        self.origins = origins
        self.sessions = sessions
        self.base_url = base_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None or origin == _own_origin(scope, headers, self.base_url):
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
                await self._preflight(send, origin, headers)
                return
            admitted = await self._admitted(origin, headers)
        except (DBAPIError, PoolTimeout) as exc:
            log.warning("allowed origins unavailable: %s", exc)
            await _refuse(send, Forbidden("The origins this key admits could not be read; try again."))
            return
        if not admitted:
            await _refuse(
                send,
                Forbidden(
                    f"Pages of {origin} may not call Patron: only with an end-user token whose key "
                    "names that origin in its allowedOrigins."
                ),
            )
            return

        async def send_allowed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *_allowance(origin)]
            await send(message)

        await self.app(scope, receive, send_allowed)

    async def _admitted(self, origin: str, headers: Headers) -> bool:
        token = headers.get(TOKEN_HEADER, "").strip()
        if not token:
            return False
        try:
            key_id = key_id_of(token)
        except PatronError:
            return False
        return origin in await self.origins.of_key(self.sessions, key_id)

    async def _preflight(self, send: Send, origin: str, headers: Headers) -> None:
        method = headers.get("access-control-request-method", "")
        if method != ALLOWED_METHODS or origin not in await self.origins.of_any_key(self.sessions):
            await send({"type": "http.response.start", "status": 403, "headers": [(b"vary", b"origin")]})
            await send({"type": "http.response.body", "body": b""})
            return
        allowance = [
            *_allowance(origin),
            (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
            (b"access-control-allow-headers", ALLOWED_HEADERS.encode()),
            (b"access-control-max-age", PREFLIGHT_SECONDS.encode()),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": allowance})
        await send({"type": "http.response.body", "body": b""})


def _allowance(origin: str) -> list[tuple[bytes, bytes]]:
    # No credentials: the widget sends its token in a header, never a cookie.
    return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"origin")]


async def _refuse(send: Send, error: PatronError) -> None:
    body = json.dumps(error.envelope(None)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [*_ERROR_HEADERS, (b"content-length", str(len(body)).encode()), (b"vary", b"origin")],
        }
    )
    await send({"type": "http.response.body", "body": body})
