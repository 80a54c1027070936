"""Every query of the campaigns dialect: campaigns and rules, customers and referral codes,
the custom-event ledger, and each customer's progress."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.locking import ensure_write_lock
from patron.db.upsert import insert_for
from patron.models import (
    ActionProgress,
    Campaign,
    CampaignAction,
    CampaignCustomer,
    CampaignRule,
    CustomEvent,
    ReferralCode,
    RuleProgress,
)

# Campaigns


async def campaign(session: AsyncSession, campaign_id: str) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def campaigns_page(
    session: AsyncSession, status: str | None, kind: str | None, offset: int, limit: int
) -> tuple[Sequence[Campaign], int]:
    where = []
    if status is not None:
        where.append(Campaign.status == status)
    if kind is not None:
        where.append(Campaign.type == kind)
    total = (await session.execute(select(func.count()).select_from(Campaign).where(*where))).scalar_one()
    stmt = (
        select(Campaign).where(*where).order_by(Campaign.created_on, Campaign.id).offset(offset).limit(limit)
    )
    return (await session.execute(stmt)).scalars().all(), int(total)


async def campaigns_by_id(session: AsyncSession, campaign_ids: Collection[str]) -> Sequence[Campaign]:
    if not campaign_ids:
        return []
    stmt = (
        select(Campaign)
        .where(Campaign.id.in_(sorted(campaign_ids)))
        .order_by(Campaign.created_on, Campaign.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def rules_of(session: AsyncSession, campaign_ids: Collection[str]) -> Sequence[CampaignRule]:
    """The current rules of the campaigns (not the retired versions), in their order."""
    if not campaign_ids:
        return []
    stmt = (
        select(CampaignRule)
        .where(CampaignRule.campaign_id.in_(sorted(campaign_ids)), CampaignRule.retired_on.is_(None))
        .order_by(CampaignRule.campaign_id, CampaignRule.position, CampaignRule.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def rules_by_id(session: AsyncSession, rule_ids: Collection[str]) -> Sequence[CampaignRule]:
    if not rule_ids:
        return []
    return (
        (await session.execute(select(CampaignRule).where(CampaignRule.id.in_(sorted(rule_ids)))))
        .scalars()
        .all()
    )


async def actions_of(session: AsyncSession, rule_ids: Collection[str]) -> Sequence[CampaignAction]:
    if not rule_ids:
        return []
    stmt = (
        select(CampaignAction)
        .where(CampaignAction.rule_id.in_(sorted(rule_ids)))
        .order_by(CampaignAction.rule_id, CampaignAction.position)
    )
    return (await session.execute(stmt)).scalars().all()


async def live_rules_listening(
    session: AsyncSession, event_name: str
) -> Sequence[tuple[CampaignRule, Campaign]]:
    """The current rules of active campaigns with an action listening to `event_name`."""
    listening = select(CampaignAction.rule_id).where(CampaignAction.event_name == event_name)
    stmt = (
        select(CampaignRule, Campaign)
        .join(Campaign, Campaign.id == CampaignRule.campaign_id)
        .where(
            Campaign.status == "active",
            CampaignRule.retired_on.is_(None),
            CampaignRule.id.in_(listening),
        )
        .order_by(Campaign.id, CampaignRule.position)
    )
    return [(row[0], row[1]) for row in (await session.execute(stmt)).all()]


async def rules_with_progress(session: AsyncSession, rule_ids: Collection[str]) -> set[str]:
    if not rule_ids:
        return set()
    stmt = select(RuleProgress.rule_id).where(RuleProgress.rule_id.in_(sorted(rule_ids))).distinct()
    return set((await session.execute(stmt)).scalars().all())


async def delete_actions(session: AsyncSession, rule_id: str) -> None:
    for action in await actions_of(session, [rule_id]):
        await session.delete(action)
    await session.flush()


# Customers


async def customer(session: AsyncSession, contact_id: uuid.UUID) -> CampaignCustomer | None:
    return await session.get(CampaignCustomer, contact_id)


async def customers_by_contact(
    session: AsyncSession, contact_ids: Collection[uuid.UUID]
) -> Sequence[CampaignCustomer]:
    if not contact_ids:
        return []
    stmt = select(CampaignCustomer).where(CampaignCustomer.contact_id.in_(sorted(contact_ids)))
    return (await session.execute(stmt)).scalars().all()


async def insert_customer(session: AsyncSession, row: dict[str, Any]) -> bool:
    stmt = (
        insert_for(session, CampaignCustomer)
        .values(row)
        .on_conflict_do_nothing()
        .returning(CampaignCustomer.contact_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def lock_customers(session: AsyncSession, contact_ids: Collection[uuid.UUID]) -> list[CampaignCustomer]:
    """Lock the customers in key order (so two events never wait on each other) and read
    them again under the lock."""
    await ensure_write_lock(session)
    stmt = (
        select(CampaignCustomer)
        .where(CampaignCustomer.contact_id.in_(sorted(set(contact_ids))))
        .order_by(CampaignCustomer.contact_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(stmt)).scalars().all())


async def claim_referral_code(session: AsyncSession, code: str, contact_id: uuid.UUID) -> bool:
    """Take `code` for the contact; False when another contact holds it."""
    stmt = insert_for(session, ReferralCode).values(code=code, contact_id=contact_id).on_conflict_do_nothing()
    await session.execute(stmt)
    holder = await session.get(ReferralCode, code)
    return holder is not None and holder.contact_id == contact_id


async def release_referral_code(session: AsyncSession, code: str) -> None:
    held = await session.get(ReferralCode, code)
    if held is not None:
        await session.delete(held)


async def holder_of_code(session: AsyncSession, code: str) -> CampaignCustomer | None:
    stmt = (
        select(CampaignCustomer)
        .join(ReferralCode, ReferralCode.contact_id == CampaignCustomer.contact_id)
        .where(ReferralCode.code == code)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def referrals_of(session: AsyncSession, contact_id: uuid.UUID) -> Sequence[CampaignCustomer]:
    stmt = (
        select(CampaignCustomer)
        .where(CampaignCustomer.referred_by == contact_id)
        .order_by(CampaignCustomer.referred_at, CampaignCustomer.contact_id)
    )
    return (await session.execute(stmt)).scalars().all()


async def completed_referees(session: AsyncSession, contact_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    if not contact_ids:
        return set()
    stmt = select(RuleProgress.contact_id).where(
        RuleProgress.contact_id.in_(sorted(contact_ids)),
        RuleProgress.side == "referee",
        RuleProgress.status == "completed",
    )
    return set((await session.execute(stmt)).scalars().all())


# The custom-event ledger


async def insert_event(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Store the event unless the customer sent this event id before; whether it was stored."""
    stmt = insert_for(session, CustomEvent).values(row).on_conflict_do_nothing().returning(CustomEvent.id)
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def event_by_key(session: AsyncSession, contact_id: uuid.UUID, event_key: str) -> CustomEvent | None:
    stmt = select(CustomEvent).where(CustomEvent.contact_id == contact_id, CustomEvent.event_key == event_key)
    return (await session.execute(stmt)).scalar_one_or_none()


async def events_between(
    session: AsyncSession,
    contact_ids: Collection[uuid.UUID],
    names: Collection[str],
    start: datetime,
    end: datetime,
) -> Sequence[CustomEvent]:
    """The customers' events of these names that happened in [start, end), oldest first."""
    stmt = (
        select(CustomEvent)
        .where(
            CustomEvent.contact_id.in_(sorted(contact_ids)),
            CustomEvent.event_name.in_(sorted(names)),
            CustomEvent.occurred_at >= start,
            CustomEvent.occurred_at < end,
        )
        .order_by(CustomEvent.occurred_at, CustomEvent.received_on, CustomEvent.id)
    )
    return (await session.execute(stmt)).scalars().all()


# Progress


async def rule_progress(
    session: AsyncSession, contact_id: uuid.UUID, side: str, rule_ids: Collection[str]
) -> dict[str, RuleProgress]:
    if not rule_ids:
        return {}
    stmt = select(RuleProgress).where(
        RuleProgress.contact_id == contact_id,
        RuleProgress.side == side,
        RuleProgress.rule_id.in_(sorted(rule_ids)),
    )
    return {row.rule_id: row for row in (await session.execute(stmt)).scalars().all()}


async def action_progress(
    session: AsyncSession, contact_id: uuid.UUID, side: str, rule_ids: Collection[str]
) -> dict[str, ActionProgress]:
    if not rule_ids:
        return {}
    stmt = select(ActionProgress).where(
        ActionProgress.contact_id == contact_id,
        ActionProgress.side == side,
        ActionProgress.rule_id.in_(sorted(rule_ids)),
    )
    return {row.action_id: row for row in (await session.execute(stmt)).scalars().all()}


async def progress_of(
    session: AsyncSession, contact_id: uuid.UUID
) -> tuple[Sequence[RuleProgress], Sequence[ActionProgress]]:
    rules = (
        (await session.execute(select(RuleProgress).where(RuleProgress.contact_id == contact_id)))
        .scalars()
        .all()
    )
    actions = (
        (await session.execute(select(ActionProgress).where(ActionProgress.contact_id == contact_id)))
        .scalars()
        .all()
    )
    return rules, actions


def add(session: AsyncSession, row: object) -> None:
    session.add(row)


async def due_windows(session: AsyncSession, now: datetime, limit: int) -> Sequence[RuleProgress]:
    """Running timers that have ended, oldest first, locked; a row another worker holds is
    skipped (PostgreSQL), so any number of workers close windows side by side."""
    await ensure_write_lock(session)
    stmt = (
        select(RuleProgress)
        .where(
            RuleProgress.status == "active", RuleProgress.end_time.is_not(None), RuleProgress.end_time <= now
        )
        .order_by(RuleProgress.end_time)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()


async def touch_customer(session: AsyncSession, contact_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(
        update(CampaignCustomer).where(CampaignCustomer.contact_id == contact_id).values(**values)
    )
