"""Identifiers: GUIDs for resources, short random key ids and secrets for API keys."""

from __future__ import annotations

import itertools
import os
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


# A request id only has to be unique, not unguessable: a random prefix per process and a
# counter make one without asking the kernel for randomness on every request.
_PROCESS_PREFIX = secrets.token_hex(8)
_requests = itertools.count(1)


def new_request_id() -> str:
    """32 hex digits, unique across processes and restarts."""
    return f"{_PROCESS_PREFIX}{next(_requests):016x}"


def _renew_process_prefix() -> None:
    """A forked process draws its own prefix (the parent's counter goes on in the parent)."""
    global _PROCESS_PREFIX
    _PROCESS_PREFIX = secrets.token_hex(8)


os.register_at_fork(after_in_child=_renew_process_prefix)
