"""A Patron API key and the headers each dialect expects it in."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import Enum


class Dialect(Enum):
    """Which of Patron's APIs a call belongs to: each has its own way of sending the key."""

    ENGAGE = "engage"
    RECORDS = "records"
    CAMPAIGNS = "campaigns"


@dataclass(frozen=True)
class ApiKey:
    """A key's token as `patron keys create` prints it: `<keyId>.<secret>`."""

    key_id: str
    secret: str

    @classmethod
    def from_token(cls, token: str) -> ApiKey:
        key_id, dot, secret = token.strip().partition(".")
        if not dot or not key_id or not secret:
            raise ValueError("a Patron token looks like <keyId>.<secret>")
        return cls(key_id, secret)

    @property
    def token(self) -> str:
        return f"{self.key_id}.{self.secret}"

    def headers(self, dialect: Dialect) -> dict[str, str]:
        # Patron accepts every form everywhere; each dialect gets the one its own clients send,
        # so a proxy in front that knows only that form lets the call through.
        if dialect is Dialect.RECORDS:
            return {"x-api-key": self.key_id, "x-api-secret": self.secret}
        if dialect is Dialect.CAMPAIGNS:
            basic = base64.b64encode(f"{self.key_id}:{self.secret}".encode()).decode()
            return {"authorization": f"Basic {basic}"}
        return {"apikey": self.token}

    def __repr__(self) -> str:
        return f"ApiKey(key_id={self.key_id!r}, secret=***)"
