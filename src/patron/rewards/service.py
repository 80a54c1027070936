"""Issuing rewards: exactly once per (source, threshold, window, contact), each with a log row.

The reward-log row is inserted first under its unique constraint; only the transaction that
inserted it hands out the promotion or the points, in the same transaction, so a retried or
concurrent request can never pay twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.kit import clock, ids
from patron.kit.links import item_link
from patron.kit.timefmt import local_iso
from patron.models import Reward
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ROOT, EVENT_ZONE, EventType, NewEvent, rendered
from patron.points import service as points
from patron.promotions import service as promotions
from patron.promotions.errors import PromotionNotActive, PromotionNotFound
from patron.rewards import coupons, repository
from patron.rewards.schemas import (
    CouponReward,
    PointsReward,
    PromotionReward,
    RewardOut,
    RewardSource,
    RewardSpec,
)
from patron.rewards.schemas import (
    Reward as RewardOffer,
)

log = logging.getLogger("patron.rewards")

_spec: TypeAdapter[RewardOffer] = TypeAdapter(RewardSpec)


@dataclass(frozen=True)
class Earned:
    contact_id: uuid.UUID
    source_type: str
    source_id: str
    threshold: str
    period_key: str
    reward: dict[str, Any]


async def check_issuable(session: AsyncSession, rewards: Sequence[dict[str, Any]]) -> None:
    """Refuse to promise a promotion that does not exist (404 PromotionNotFound)."""
    for reward in rewards:
        if reward.get("type") == "promotion":
            await promotions.get(session, uuid.UUID(str(reward["promotionId"])))


@dataclass(frozen=True)
class RewardIssuer:
    """Issues what activity earned, for one deployment: a points reward that names no point
    definition credits `default_point_definition_id` (PATRON_DEFAULT_POINT_DEFINITION_ID), or
    the definition named "Points", created on first use."""

    default_point_definition_id: int | None = None

    async def issue(self, session: AsyncSession, earned: Sequence[Earned]) -> list[uuid.UUID]:
        """Issue what has not been issued before; returns the ids of the rewards issued now."""
        if not earned:
            return []
        now = clock.now()
        # Handed out in contact order, so the accounts they credit are locked in one order everywhere.
        earned = sorted(
            earned, key=lambda e: (str(e.contact_id), e.source_type, e.source_id, e.threshold, e.period_key)
        )
        wanted: dict[uuid.UUID, tuple[Earned, RewardOffer]] = {}
        rows: list[dict[str, Any]] = []
        for item in earned:
            spec = _spec.validate_python(item.reward)
            reward_id = ids.new_id()
            wanted[reward_id] = (item, spec)
            rows.append(_reward_row(reward_id, item, spec, now))
        issued = await repository.insert_new(session, rows)
        # The default point definition is looked up once for all the points rewards issued now.
        default_definition: list[int] = []
        told: list[NewEvent] = []
        for row in [r for r in rows if r["id"] in issued]:
            item, spec = wanted[row["id"]]
            outcome = await self._hand_out(session, row["id"], item, spec, default_definition)
            # Each reward is told as it was logged, paid or not (an unpaid one says why).
            reward = Reward(**{**row, **outcome})
            data = rendered(reward_out(reward, EVENT_ROOT, EVENT_ZONE))
            told.append(NewEvent(EventType.REWARD_ISSUED, data, item.contact_id, now))
        await outbox.record(session, told)
        return [r["id"] for r in rows if r["id"] in issued]

    async def _hand_out(
        self,
        session: AsyncSession,
        reward_id: uuid.UUID,
        item: Earned,
        spec: RewardOffer,
        default_definition: list[int],
    ) -> dict[str, Any]:
        """Pay the reward; the columns of its log row that say how (as recorded)."""
        description = f"{item.source_type} {item.source_id} {item.threshold} ({item.period_key})"
        if isinstance(spec, PromotionReward):
            try:
                assignment = await promotions.assign(
                    session, item.contact_id, spec.promotionId, reuse_held=False
                )
            except (PromotionNotActive, PromotionNotFound) as exc:
                # The activity that earned it must not be refused because an offer was ended or
                # deleted since; the reward stays on record, unpaid, with the reason.
                log.warning(
                    "reward %s: promotion %s not assignable: %s", reward_id, spec.promotionId, exc.key
                )
                unpaid = {"details": {"reward": spec.model_dump(mode="json"), "unpaid": exc.key}}
                await repository.record_outcome(session, reward_id, unpaid)
                return unpaid
            paid: dict[str, Any] = {"promotion_assignment_id": str(assignment.id)}
            await repository.record_outcome(session, reward_id, paid)
            return paid
        if isinstance(spec, CouponReward):
            code = await coupons.hand_out(
                session, item.contact_id, reward_id, spec.codePrefix, spec.validDays
            )
            handed: dict[str, Any] = {"coupon_code": code.code, "expires_on": code.expires_on}
            await repository.record_outcome(session, reward_id, handed)
            return handed
        definition_id = spec.definitionId
        if not definition_id:
            if not default_definition:
                default_definition.append(
                    await points.default_definition_id(session, self.default_point_definition_id)
                )
            definition_id = default_definition[0]
        transaction_id = await points.credit(
            session, item.contact_id, definition_id, spec.amount, "reward", description
        )
        credited = {"point_definition_id": definition_id, "point_transaction_id": transaction_id}
        await repository.record_outcome(session, reward_id, credited)
        return credited


def _reward_row(reward_id: uuid.UUID, item: Earned, spec: RewardOffer, now: datetime) -> dict[str, Any]:
    return {
        "id": reward_id,
        "contact_id": item.contact_id,
        "source_type": item.source_type,
        "source_id": item.source_id,
        "threshold": item.threshold,
        "period_key": item.period_key,
        "reward_type": spec.type,
        "promotion_id": str(spec.promotionId) if isinstance(spec, PromotionReward) else None,
        "points": spec.amount if isinstance(spec, PointsReward) else None,
        "point_definition_id": spec.definitionId if isinstance(spec, PointsReward) else None,
        "details": {"reward": spec.model_dump(mode="json")},
        "issued_on": now,
    }


def reward_out(reward: Reward, base_url: str, zone: ZoneInfo) -> RewardOut:
    return RewardOut(
        id=reward.id,
        contactId=reward.contact_id,
        source=RewardSource(type=reward.source_type, id=reward.source_id),
        threshold=reward.threshold,
        window=reward.period_key,
        reward=_spec.validate_python(reward.details["reward"]),
        issuedOn=local_iso(reward.issued_on, zone),
        promotionAssignmentId=reward.promotion_assignment_id,
        pointTransactionId=reward.point_transaction_id,
        couponCode=reward.coupon_code,
        links=[item_link(base_url, f"/contacts/{reward.contact_id}/rewards", reward.id, "self")],
    )


async def page_of(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int, base_url: str, zone: ZoneInfo
) -> tuple[list[RewardOut], int]:
    await contacts.ensure_exists(session, contact_id)
    found, total = await repository.page_of(session, contact_id, offset, count)
    return [reward_out(r, base_url, zone) for r in found], total
