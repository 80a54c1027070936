"""Using a coupon handed out as a reward (by a campaign rule or a record milestone): whether
it may be used by a customer, redeeming it once, and reverting a redemption once.

Redeeming locks the coupons first and checks them after the lock, never before, so of any
number of concurrent redemptions of one code exactly one succeeds. A request naming several
coupons redeems all of them or none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Coupon
from patron.rewards import repository


class Refusal(StrEnum):
    # Unknown, or another customer's: the same answer, so no code is confirmed to a stranger.
    NOT_FOUND = "not_found"
    EXPIRED = "expired"
    ALREADY_REDEEMED = "already_redeemed"
    NOT_REDEEMED = "not_redeemed"
    # Reverting for an order other than the one it was redeemed for.
    OTHER_ORDER = "other_order"


@dataclass(frozen=True, slots=True)
class Verdict:
    code: str
    coupon: Coupon | None
    refusal: Refusal | None

    @property
    def usable(self) -> bool:
        return self.refusal is None


def _redeemable(coupon: Coupon | None, owner: uuid.UUID, now: datetime) -> Refusal | None:
    if coupon is None or coupon.contact_id != owner:
        return Refusal.NOT_FOUND
    if coupon.redeemed_on is not None:
        return Refusal.ALREADY_REDEEMED
    if coupon.expires_on is not None and coupon.expires_on <= now:
        return Refusal.EXPIRED
    return None


def _revertible(coupon: Coupon | None, owner: uuid.UUID, order_id: str | None) -> Refusal | None:
    if coupon is None or coupon.contact_id != owner:
        return Refusal.NOT_FOUND
    if coupon.redeemed_on is None:
        return Refusal.NOT_REDEEMED
    if order_id is not None and coupon.redeemed_order_id not in (None, order_id):
        return Refusal.OTHER_ORDER
    return None


async def coupons_of(session: AsyncSession, owner: uuid.UUID) -> Sequence[Coupon]:
    return await repository.coupons_of(session, owner)


async def check(
    session: AsyncSession, codes: Sequence[str], owner: uuid.UUID, now: datetime
) -> list[Verdict]:
    """Whether each coupon could be redeemed by `owner` now (nothing is locked or changed)."""
    found = {coupon.code: coupon for coupon in await repository.coupons_by_code(session, codes)}
    return [Verdict(code, found.get(code), _redeemable(found.get(code), owner, now)) for code in codes]


async def redeem(
    session: AsyncSession, codes: Sequence[str], owner: uuid.UUID, order_id: str, now: datetime
) -> list[Verdict]:
    """Redeem every coupon for the order, or none: the verdicts say which refused and why."""
    locked = {coupon.code: coupon for coupon in await repository.lock_coupons(session, codes)}
    verdicts = [Verdict(code, locked.get(code), _redeemable(locked.get(code), owner, now)) for code in codes]
    if all(verdict.usable for verdict in verdicts):
        for verdict in verdicts:
            assert verdict.coupon is not None
            verdict.coupon.redeemed_on, verdict.coupon.redeemed_order_id = now, order_id
        await session.flush()
    return verdicts


async def revert(
    session: AsyncSession, codes: Sequence[str], owner: uuid.UUID, order_id: str | None, now: datetime
) -> list[Verdict]:
    """Undo the redemptions (the coupon may be used again), all or none."""
    locked = {coupon.code: coupon for coupon in await repository.lock_coupons(session, codes)}
    verdicts = [
        Verdict(code, locked.get(code), _revertible(locked.get(code), owner, order_id)) for code in codes
    ]
    if all(verdict.usable for verdict in verdicts):
        for verdict in verdicts:
            assert verdict.coupon is not None
            verdict.coupon.redeemed_on, verdict.coupon.redeemed_order_id = None, None
            verdict.coupon.reverted_on = now
        await session.flush()
    return verdicts
