"""End users: a shop's logged-in customer, calling with a token the retailer's backend signed
(`x-enduser-access-token`) and the account it names (`x-account-id`). Verifying such a token
to the contact it stands for, and minting one for retailers who do not sign their own
(docs/END_USERS.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth import repository
from patron.auth.end_user_tokens import DEFAULT_LIFETIME, MAX_LIFETIME, claims_of, key_id_of, refused, sign
from patron.auth.roles import INTEGRATIONS, Role
from patron.auth.sealing import KeySealing
from patron.config import Settings
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.schemas import LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import BadRequest, Unauthorized, error
from patron.kit import clock
from patron.models import ApiKey

TOKEN_HEADER = "x-enduser-access-token"
ACCOUNT_HEADER = "x-account-id"
# The roles whose keys may sign end-user tokens, by themselves or through the minting route.
SIGNERS = INTEGRATIONS

KeyCannotSign = error(409, "KeyCannotSign", "This key cannot sign end-user tokens.")
ContactWithoutExternalId = error(
    409, "ContactWithoutExternalId", "The contact has no externalId for an end-user token to name."
)

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True, slots=True)
class EndUserCredentials:
    token: str
    account_id: str


@dataclass(frozen=True, slots=True)
class EndUser:
    """A verified end user: the member the token names, and the key that signed it."""

    key_id: str
    account_id: str
    contact_id: uuid.UUID
    external_id: str


@dataclass(frozen=True, slots=True)
class MintedToken:
    token: str
    expires_on: datetime
    account_id: str


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class KeyRefusal:
    """Why a key signs no end-user token; the same words for a caller whatever it sent."""

    reason: str


def read_end_user_credentials(headers: Mapping[str, str]) -> EndUserCredentials | None:
    """The two end-user headers; None when neither is sent, 401 when one comes without the other."""
    token, account_id = headers.get(TOKEN_HEADER, "").strip(), headers.get(ACCOUNT_HEADER, "").strip()
    if not token and not account_id:
        return None
    if not token:
        raise Unauthorized(f"{ACCOUNT_HEADER} is sent without {TOKEN_HEADER}.")
    if not account_id:
        raise Unauthorized(f"{TOKEN_HEADER} is sent without {ACCOUNT_HEADER}.")
    return EndUserCredentials(token, account_id)


def _check_lifetime(lifetime: timedelta) -> None:
    if not timedelta(seconds=1) <= lifetime <= MAX_LIFETIME:
        raise BadRequest("An end-user token lives from one second to 30 minutes.")


class EndUsers:
    """Verifies end-user tokens and mints them; built once by the composition root.

    A key's unsealed secret is kept for `auth_cache_seconds`, like a verified key (KeyVerifier),
    so the hot path stays off the database and a revoked key signs nothing once its entry is
    older than that. The member is looked up on every verification, so an erased contact's
    token stops at once.
    """

    def __init__(self, settings: Settings, sealing: KeySealing) -> None:
        self._ttl = settings.auth_cache_seconds
        self._account_id = settings.account_id
        self._sealing = sealing
        self._rules = ContactRules.from_settings(settings)
        self._keys: dict[str, tuple[float, SigningKey | KeyRefusal]] = {}

    @property
    def account_id(self) -> str:
        return self._account_id

    async def _signing_key(
        self, session: AsyncSession, key: ApiKey | None, key_id: str
    ) -> SigningKey | KeyRefusal:
        if key is None or key.revoked_on is not None:
            return KeyRefusal(f"key {key_id} is unknown or revoked.")
        if Role(key.role) not in SIGNERS:
            return KeyRefusal(f"a key with role {key.role} may not sign end-user tokens.")
        if key.sealed_secret is None:
            return KeyRefusal(
                f"key {key_id} was created before Patron kept key secrets sealed, so its "
                "signatures cannot be checked; create a new key and sign with it."
            )
        secret = await self._sealing.unseal(session, key.id, key.sealed_secret)
        if secret is None:
            return KeyRefusal(
                f"key {key_id}'s secret was sealed with a sealing key this deployment no longer "
                "has (was PATRON_SECRET_KEY changed?); create a new key and sign with it."
            )
        return SigningKey(key.id, secret)

    async def _cached_signing_key(self, sessions: Sessions, key_id: str) -> SigningKey | KeyRefusal:
        cached = self._keys.get(key_id)
        if cached is not None and clock.monotonic() - cached[0] < self._ttl:
            return cached[1]
        async with sessions() as session:
            found = await self._signing_key(session, await repository.get(session, key_id), key_id)
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[key_id] = (clock.monotonic(), found)
        return found

    async def verify(self, sessions: Sessions, credentials: EndUserCredentials) -> EndUser:
        """The end user the credentials stand for; 401 saying why when they stand for none.
        `sessions` opens a session for the key (when the cache cannot answer) and the member."""
        if credentials.account_id != self._account_id:
            raise Unauthorized(f"{ACCOUNT_HEADER} does not name this deployment's account.")
        key_id = key_id_of(credentials.token)
        signing_key = await self._cached_signing_key(sessions, key_id)
        if isinstance(signing_key, KeyRefusal):
            raise refused(signing_key.reason)
        claims = claims_of(credentials.token, key_id, signing_key.secret, clock.now())
        if claims.account_id != credentials.account_id:
            raise refused(f"its sub is not the account {ACCOUNT_HEADER} names.")
        async with sessions() as session:
            try:
                contact_id = await contacts.lookup_id(
                    session, LookupKeys(externalId=claims.external_id), self._rules
                )
            except ContactNotFound:
                raise refused("its userData.externalId is no contact's.") from None
        return EndUser(key_id, claims.account_id, contact_id, claims.external_id)

    async def mint(
        self,
        session: AsyncSession,
        key_id: str,
        contact_id: uuid.UUID,
        lifetime: timedelta = DEFAULT_LIFETIME,
    ) -> MintedToken:
        """A token for the contact, signed with key `key_id`'s secret: 404 for no contact, 409
        when the contact has no externalId or the key cannot sign."""
        _check_lifetime(lifetime)
        contact = await contacts.get(session, contact_id)
        if contact.external_id is None:
            raise ContactWithoutExternalId(
                f"Contact {contact_id} has no externalId; give it one before minting its token."
            )
        signing_key = await self._signing_key(session, await repository.get(session, key_id), key_id)
        if isinstance(signing_key, KeyRefusal):
            raise KeyCannotSign(f"This key cannot sign end-user tokens: {signing_key.reason}")
        issued_on = clock.now().replace(microsecond=0)
        token = sign(key_id, signing_key.secret, self._account_id, contact.external_id, issued_on, lifetime)
        return MintedToken(token, issued_on + lifetime, self._account_id)
