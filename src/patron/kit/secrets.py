"""Hashing and constant-time comparison of API key secrets."""

from __future__ import annotations

import hashlib
import hmac


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
