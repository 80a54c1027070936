"""The key that signs the console's session cookies: derived from PATRON_SECRET_KEY when it is
set, else 32 random bytes generated once and kept beside the generated sealing key, so every
process of a deployment accepts the cookies any of them issued."""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession

from patron.auth import sealing_store

_STORED_AS = "console"
# Binds the derived key to this use of PATRON_SECRET_KEY (the sealing of key secrets is another).
_KEY_PURPOSE = b"patron console sessions"


def configured_key(secret_key: str) -> bytes | None:
    if not secret_key:
        return None
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_PURPOSE).derive(
        secret_key.encode()
    )


async def stored_key(session: AsyncSession) -> bytes | None:
    """The generated key, or None while no one has signed in yet."""
    kept = await sealing_store.generated_key(session, _STORED_AS)
    return None if kept is None else base64.urlsafe_b64decode(kept)


async def keep_key(session: AsyncSession) -> bytes:
    """The generated key, generating it in the caller's transaction when there is none."""
    candidate = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    kept = await sealing_store.keep_generated_key(session, candidate, _STORED_AS)
    return base64.urlsafe_b64decode(kept)
