"""Who is at the console: a signed, HttpOnly, SameSite=Strict cookie naming the admin key that
signed in and the token every form must carry back (CSRF). The cookie is signed again on every
page, so it lapses after IDLE_HOURS without a page; it holds no secret of the key."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from patron.auth import console_secret
from patron.auth import service as keys
from patron.auth.roles import Role
from patron.state import AppState

COOKIE = "patron_console"
IDLE_HOURS = 8
IDLE_SECONDS = IDLE_HOURS * 3600
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class Visit:
    """One browser at the console: signed in as `key_id`, or not yet (None), and its form token."""

    key_id: str | None
    csrf: str

    @property
    def signed_in(self) -> bool:
        return self.key_id is not None


def new_visit(key_id: str | None = None) -> Visit:
    return Visit(key_id, secrets.token_urlsafe(32))


class ConsoleSessions:
    """Reads and writes the console cookie; built once per application."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._signing: URLSafeTimedSerializer | None = None
        configured = console_secret.configured_key(state.settings.secret_key)
        if configured is not None:
            self._signing = self._serializer(configured)

    @staticmethod
    def _serializer(key: bytes) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(key, salt="patron console session")

    async def _signer(self, *, create: bool) -> URLSafeTimedSerializer | None:
        if self._signing is not None:
            return self._signing
        database = self._state.database
        if create:
            # Its own short transaction: the page that needs it may be a read.
            async with self._state.write_turn(), database.write_sessions() as session:
                key = await console_secret.keep_key(session)
                await session.commit()
        else:
            async with database.read_sessions() as session:
                found = await console_secret.stored_key(session)
            if found is None:
                return None
            key = found
        self._signing = self._serializer(key)
        return self._signing

    async def read(self, request: Request) -> Visit | None:
        """The visit the cookie names, if it is ours, signed within IDLE_HOURS."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        signer = await self._signer(create=False)
        if signer is None:
            return None
        try:
            payload = signer.loads(raw, max_age=IDLE_SECONDS)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        key_id, csrf = payload.get("k"), payload.get("c")
        if not isinstance(csrf, str) or not (key_id is None or isinstance(key_id, str)):
            return None
        return Visit(key_id, csrf)

    async def still_admin(self, session: AsyncSession, visit: Visit) -> bool:
        """A revoked key's sessions end with it, at the next page."""
        if visit.key_id is None:
            return False
        key = await keys.active_key(session, visit.key_id)
        return key is not None and key.role is Role.ADMIN

    async def write(self, request: Request, response: Response, visit: Visit) -> None:
        signer = await self._signer(create=True)
        assert signer is not None
        response.set_cookie(
            COOKIE,
            signer.dumps({"k": visit.key_id, "c": visit.csrf}),
            max_age=IDLE_SECONDS,
            path="/console",
            # Secure wherever browsers reach the console over https, a TLS-ending proxy included.
            secure=request.url.scheme == "https" or self._state.settings.base_url.startswith("https://"),
            httponly=True,
            samesite="strict",
        )

    @staticmethod
    def forget(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="strict")


def csrf_matches(visit: Visit, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(visit.csrf.encode(), (sent or "").encode())
