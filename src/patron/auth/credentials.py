"""Reading a key's id and secret from whichever header form a client uses."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Credentials:
    key_id: str
    secret: str


def split_token(token: str) -> Credentials | None:
    key_id, dot, secret = token.strip().partition(".")
    if not dot or not key_id or not secret:
        return None
    return Credentials(key_id, secret)


def _from_basic(encoded: str) -> Credentials | None:
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key_id, colon, secret = decoded.partition(":")
    if not colon or not key_id or not secret:
        return None
    return Credentials(key_id, secret)


def read_credentials(headers: Mapping[str, str]) -> Credentials | None:
    """`apikey: <token>`, `Authorization: Bearer <token>` or `Basic base64(id:secret)`,
    or `x-api-key` + `x-api-secret`. None when no usable form is present."""
    if token := headers.get("apikey"):
        return split_token(token)
    if authorization := headers.get("authorization"):
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return split_token(value)
        if scheme.lower() == "basic":
            return _from_basic(value)
        return None
    key_id, secret = headers.get("x-api-key"), headers.get("x-api-secret")
    if key_id and secret:
        return Credentials(key_id.strip(), secret.strip())
    return None
