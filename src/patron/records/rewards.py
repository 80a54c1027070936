"""Corrections to a reward log by an admin: its coupon code and its dates, nothing else (what
was earned, by whom and when stays as the engine wrote it)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Reward
from patron.records import repository
from patron.records.errors import RecordNotFound
from patron.records.schemas import RewardLogChanges


async def correct(session: AsyncSession, reward_id: uuid.UUID, body: RewardLogChanges) -> Reward:
    row = await repository.reward(session, reward_id)
    if row is None:
        raise RecordNotFound(f"No reward_log {reward_id}.")
    if body.couponCode is not None:
        row.coupon_code = body.couponCode
    if body.rewardIssuedAt is not None:
        row.issued_on = body.rewardIssuedAt
    if "rewardExpiryAt" in body.model_fields_set:
        row.expires_on = body.rewardExpiryAt
    await session.flush()
    return row
