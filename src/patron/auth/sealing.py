"""Sealing API key secrets (AES-GCM), so Patron can later check the HMAC of an end-user token
that a retailer signed with one, while a key's secret is never stored in the clear.

The sealing key is PATRON_SECRET_KEY's when it is set; otherwise 32 random bytes generated
once and kept in the database (so a dump of the database alone reveals the secrets, which is
why production sets PATRON_SECRET_KEY). A sealed secret names the key that sealed it, so one
sealed before PATRON_SECRET_KEY was set still unseals after.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth import sealing_store
from patron.config import Settings

# Which sealing key sealed a secret: the first part of the sealed text.
CONFIGURED = "c1"  # PATRON_SECRET_KEY's
GENERATED = "g1"  # the deployment's generated key, in the database
_NONCE_BYTES = 12
# Binds the derived key to this use of PATRON_SECRET_KEY, should it ever serve another.
_KEY_PURPOSE = b"patron api key secrets"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derived_key(secret_key: str) -> bytes:
    """The AES-256 key PATRON_SECRET_KEY stands for."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_PURPOSE).derive(
        secret_key.encode()
    )


class Sealer:
    """Seals and unseals with one key. The key id is authenticated with the secret, so a sealed
    secret copied onto another key's row does not unseal there."""

    def __init__(self, label: str, key: bytes) -> None:
        self.label = label
        self._aead = AESGCM(key)

    def seal(self, key_id: str, secret: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), key_id.encode())
        return f"{self.label}.{_b64(nonce + sealed)}"

    def unseal(self, key_id: str, sealed: str) -> str | None:
        """The secret, or None when this key did not seal `sealed` for `key_id`."""
        label, _, body = sealed.partition(".")
        if label != self.label:
            return None
        try:
            raw = _unb64(body)
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], key_id.encode()).decode()
        except (InvalidTag, ValueError, binascii.Error):
            return None


class KeySealing:
    """The deployment's sealing keys, built once by the composition root: PATRON_SECRET_KEY's,
    and the generated one, read from the database once it is needed and kept."""

    def __init__(self, secret_key: str = "") -> None:
        self._configured = Sealer(CONFIGURED, derived_key(secret_key)) if secret_key else None
        self._generated: Sealer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KeySealing:
        return cls(settings.secret_key)

    async def sealer_for_new_keys(self, session: AsyncSession) -> Sealer:
        """PATRON_SECRET_KEY's sealer, else the generated one (generating it on first use, in
        the caller's transaction)."""
        if self._configured is not None:
            return self._configured
        if self._generated is None:
            key = await sealing_store.keep_generated_key(session, _b64(secrets.token_bytes(32)))
            self._generated = Sealer(GENERATED, _unb64(key))
        return self._generated

    async def seal(self, session: AsyncSession, key_id: str, secret: str) -> str:
        return (await self.sealer_for_new_keys(session)).seal(key_id, secret)

    async def unseal(self, session: AsyncSession, key_id: str, sealed: str) -> str | None:
        """The secret, or None when none of this deployment's sealing keys sealed it (say,
        PATRON_SECRET_KEY was changed since)."""
        label = sealed.partition(".")[0]
        if label == CONFIGURED:
            return self._configured.unseal(key_id, sealed) if self._configured else None
        if label != GENERATED:
            return None
        if self._generated is None:
            key = await sealing_store.generated_key(session)
            if key is None:
                return None
            self._generated = Sealer(GENERATED, _unb64(key))
        return self._generated.unseal(key_id, sealed)
