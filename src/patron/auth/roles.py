"""Roles, and which of them an operation admits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    # Tills and web shops: contacts, receipts, checkpoints, promotion reads and redeem.
    INTEGRATION = "integration"
    # Later: END_USER (a customer's short-lived token) and GUEST (no credentials).


@dataclass(frozen=True, slots=True)
class KeyRate:
    """A key's own rate limit: requests per second in each route class, and how many a full
    bucket lets through at once (None: PATRON_RATE_BURST_SECONDS of the rate)."""

    per_second: int
    burst: int | None = None


@dataclass(frozen=True)
class Caller:
    key_id: str
    role: Role
    # The key's own rate limit, verified with it; None means its role's default.
    rate: KeyRate | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


ADMIN_ONLY = frozenset({Role.ADMIN})
INTEGRATIONS = frozenset({Role.ADMIN, Role.INTEGRATION})
