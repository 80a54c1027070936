"""Roles, and which of them an operation admits."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    # Tills and web shops: contacts, receipts, checkpoints, promotion reads and redeem.
    INTEGRATION = "integration"
    # Later: END_USER (a customer's short-lived token) and GUEST (no credentials).


@dataclass(frozen=True)
class Caller:
    key_id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


ADMIN_ONLY = frozenset({Role.ADMIN})
INTEGRATIONS = frozenset({Role.ADMIN, Role.INTEGRATION})
