"""Identifiers: GUIDs for resources, short random key ids and secrets for API keys."""

from __future__ import annotations

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
