"""API keys: create (the token is shown once), list, revoke, and verify a caller."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth import repository
from patron.auth.credentials import Credentials, split_token
from patron.auth.origins import origins_of
from patron.auth.roles import Caller, KeyRate, Role
from patron.auth.sealing import KeySealing
from patron.errors import BadRequest, NotFound
from patron.kit import clock, ids
from patron.kit.secrets import hash_secret, secret_matches
from patron.models import ApiKey


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    name: str
    role: Role
    token: str
    rate: KeyRate | None = None


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    name: str
    role: Role
    created_on: datetime
    revoked_on: datetime | None
    rate: KeyRate | None = None
    # The web shops whose pages may call with end-user tokens this key signed (widget CORS).
    allowed_origins: tuple[str, ...] = ()


def _rate_of(key: ApiKey) -> KeyRate | None:
    if key.rate_per_second is None:
        return None
    return KeyRate(key.rate_per_second, key.rate_burst)


def _info(key: ApiKey) -> KeyInfo:
    return KeyInfo(
        key.id,
        key.name,
        Role(key.role),
        key.created_on,
        key.revoked_on,
        _rate_of(key),
        tuple(key.allowed_origins or ()),
    )


async def create_key(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    token: str | None = None,
    rate: KeyRate | None = None,
    sealing: KeySealing | None = None,
) -> IssuedKey:
    """Create a key; `token` lets automation choose it (`<keyId>.<secret>`), `rate` gives it a
    rate limit of its own instead of its role's default. Its secret is kept sealed with
    `sealing` (the deployment's, `KeySealing.from_settings`), so end-user tokens it signs can
    be checked; without one, with the generated sealing key in the database."""
    if rate is not None and (rate.per_second < 1 or (rate.burst is not None and rate.burst < 1)):
        raise BadRequest("A key's rate and burst are whole numbers of requests, at least 1.")
    if token:
        credentials = split_token(token)
        if credentials is None or ":" in credentials.key_id or len(credentials.secret) < 16:
            raise BadRequest("A token is `<keyId>.<secret>` with a secret of at least 16 characters.")
        if await repository.get(session, credentials.key_id) is not None:
            raise BadRequest(f"Key {credentials.key_id} exists already.")
    else:
        credentials = Credentials(ids.new_key_id(), ids.new_secret())
    now = clock.now()
    repository.add(
        session,
        ApiKey(
            id=credentials.key_id,
            name=name,
            role=role.value,
            secret_hash=hash_secret(credentials.secret),
            sealed_secret=await (sealing or KeySealing()).seal(
                session, credentials.key_id, credentials.secret
            ),
            created_on=now,
            rate_per_second=rate.per_second if rate else None,
            rate_burst=rate.burst if rate else None,
        ),
    )
    await session.flush()
    return IssuedKey(credentials.key_id, name, role, f"{credentials.key_id}.{credentials.secret}", rate)


async def list_keys(session: AsyncSession) -> list[KeyInfo]:
    return [_info(key) for key in await repository.list_all(session)]


async def revoke_key(session: AsyncSession, key_id: str) -> KeyInfo:
    key = await repository.get(session, key_id)
    if key is None:
        raise NotFound(f"No key {key_id}.")
    if key.revoked_on is None:
        key.revoked_on = clock.now()
        await session.flush()
    return _info(key)


async def active_key(session: AsyncSession, key_id: str) -> KeyInfo | None:
    """The key, unless there is none or it was revoked."""
    key = await repository.get(session, key_id)
    return None if key is None or key.revoked_on is not None else _info(key)


async def admit_origins(session: AsyncSession, key_id: str, origins: Iterable[str]) -> KeyInfo:
    """Replace the origins whose pages may call with this key's end-user tokens (400 for one
    that is not an origin, 404 for no such key)."""
    admitted = origins_of(origins)
    key = await repository.get(session, key_id)
    if key is None:
        raise NotFound(f"No key {key_id}.")
    key.allowed_origins = list(admitted)
    await session.flush()
    return _info(key)


async def has_keys(session: AsyncSession) -> bool:
    return await repository.count(session) > 0


class KeyVerifier:
    """Verifies credentials against the database, trusting a verified key for a few seconds.

    The cache keeps the hot path (every request) off the database; a revoked key is refused
    once its entry is older than `ttl` seconds.
    """

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._verified: dict[tuple[str, str], tuple[float, Caller | None]] = {}

    async def verify(
        self, sessions: Callable[[], AbstractAsyncContextManager[AsyncSession]], credentials: Credentials
    ) -> Caller | None:
        """`sessions` opens a session only when the cache cannot answer."""
        cache_key = (credentials.key_id, hash_secret(credentials.secret))
        cached = self._verified.get(cache_key)
        if cached is not None and clock.monotonic() - cached[0] < self._ttl:
            return cached[1]
        async with sessions() as session:
            key = await repository.get(session, credentials.key_id)
        caller = None
        if key is not None and key.revoked_on is None and secret_matches(credentials.secret, key.secret_hash):
            caller = Caller(key.id, Role(key.role), _rate_of(key))
        if len(self._verified) > 10_000:
            self._verified.clear()
        self._verified[cache_key] = (clock.monotonic(), caller)
        return caller
