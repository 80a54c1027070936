"""Coupon codes: a prefix and a random part, unique across every contact, stored so they can
be looked up, validated and redeemed."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from patron.kit import clock
from patron.rewards import repository

# No 0/O, 1/I/L: a code is read out at a till and typed in at a checkout.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 10


@dataclass(frozen=True)
class CouponCode:
    code: str
    expires_on: datetime | None


def new_code(prefix: str) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))


async def hand_out(
    session: AsyncSession, contact_id: uuid.UUID, reward_id: uuid.UUID, prefix: str, valid_days: int | None
) -> CouponCode:
    """A new code for the contact. 31^10 codes per prefix make a clash rare; one is drawn again."""
    now = clock.now()
    expires_on = now + timedelta(days=valid_days) if valid_days else None
    for _ in range(8):
        code = new_code(prefix)
        if await repository.insert_coupon(session, code, contact_id, reward_id, now, expires_on):
            return CouponCode(code, expires_on)
    raise RuntimeError("no free coupon code after 8 draws")
