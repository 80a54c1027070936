"""Identifiers: GUIDs for resources, short random key ids and secrets for API keys."""

from __future__ import annotations

import itertools
import secrets
import uuid


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def parse_guid(text: str) -> uuid.UUID | None:
    """A GUID from its text form, or None when the text is not one."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return None


def new_key_id() -> str:
    # No '.' or ':' so the token and Basic forms split unambiguously.
    return "pk_" + secrets.token_hex(8)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class RequestIds:
    """An application's request ids: 32 hex digits, unique across processes and restarts.

    A request id only has to be unique, not unguessable: a random prefix drawn when the
    application's request context is built and a counter make one without asking the kernel
    for randomness on every request. Starlette builds it at the application's first ASGI
    call (its lifespan startup), in the process that serves; `patron serve` workers are
    spawned and build their own application. Two applications draw two prefixes.
    """

    __slots__ = ("_counter", "_prefix")

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    def new(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"
