"""Reward progress, exactly as the seed shows it: per campaign the customer takes part in,
its rules and each action's `current` toward `target`, `progress` in whole percent, and for
timed rules the timer in epoch seconds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import repository
from patron.campaigns.errors import CampaignNotFound
from patron.campaigns.participants import action_state, rule_state
from patron.campaigns.rules import TIMED, ActionType, Role
from patron.campaigns.schemas import (
    ActionProgressOut,
    CampaignProgressOut,
    RuleProgressOut,
    plain_number,
)
from patron.kit import clock
from patron.models import (
    ActionProgress,
    Campaign,
    CampaignAction,
    CampaignCustomer,
    CampaignRule,
    RuleProgress,
)


def percent(current: Decimal, target: Decimal) -> int:
    """floor(100 * current / target), capped at 100."""
    if target <= 0:
        return 100
    return min(100, math.floor(current * 100 / target))


def _epoch(instant: datetime | None) -> int | None:
    return None if instant is None else int(instant.timestamp())


def _action_out(
    rule: CampaignRule,
    action: CampaignAction,
    row: RuleProgress | None,
    found: ActionProgress | None,
    now: datetime,
) -> ActionProgressOut:
    state = action_state(found)
    timer = rule_state(row)
    shown = ActionProgressOut(
        event_id=action.id,
        event_name=action.event_name,
        progress=percent(state.value, action.target),
        # As the seed shows it: true for a timed rule's benchmark once it was received (the
        # event that started the timer), false otherwise.
        trigger=action.role == Role.BENCHMARK.value and timer.start_time is not None,
        status="completed" if state.completed_at is not None else "active",
        current=plain_number(state.value),
        target=plain_number(action.target),
    )
    if ActionType(rule.action_type) not in TIMED:
        return shown
    shown.start_time = _epoch(timer.start_time)
    if action.role == Role.TRIGGER.value:
        shown.time_duration = rule.time_duration
        if timer.end_time is not None:
            shown.end_time = _epoch(timer.end_time)
            # Once the trigger is met, the time that was left then; else what is left now.
            until = state.completed_at or now
            shown.time_left = max(0, int((timer.end_time - until).total_seconds()))
    return shown


def _rules_out(
    rules: Sequence[CampaignRule],
    actions: Sequence[CampaignAction],
    rows: dict[tuple[str, str], RuleProgress],
    found: dict[tuple[str, str], ActionProgress],
    side: str,
    now: datetime,
) -> list[RuleProgressOut]:
    shown = []
    for rule in rules:
        row = rows.get((rule.id, side))
        shown.append(
            RuleProgressOut(
                rule_id=rule.id,
                rule_name=rule.name,
                action_type=rule.action_type,
                actions=[
                    _action_out(rule, action, row, found.get((action.id, side)), now)
                    for action in actions
                    if action.rule_id == rule.id
                ],
            )
        )
    return shown


async def reward_progress(
    session: AsyncSession, customer: CampaignCustomer, campaign_id: str | None, campaign_type: str | None
) -> list[CampaignProgressOut]:
    now = clock.now()
    rule_rows, action_rows = await repository.progress_of(session, customer.contact_id)
    if campaign_id is not None:
        one = await repository.campaign(session, campaign_id)
        if one is None:
            raise CampaignNotFound(campaign_id)
        campaigns: Sequence[Campaign] = [one]
    else:
        campaigns = await repository.campaigns_by_id(session, {row.campaign_id for row in rule_rows})
    campaigns = [c for c in campaigns if campaign_type is None or c.type == campaign_type]
    current = list(await repository.rules_of(session, [c.id for c in campaigns]))
    # A retired rule still shows where the customer has progress on it.
    retired_ids = {row.rule_id for row in rule_rows} - {rule.id for rule in current}
    retired = [
        r
        for r in await repository.rules_by_id(session, retired_ids)
        if r.campaign_id in {c.id for c in campaigns}
    ]
    # Current rules in their order, then the retired ones, oldest first.
    rules = [*current, *sorted(retired, key=lambda r: (r.created_on, r.position, r.id))]
    actions = await repository.actions_of(session, [rule.id for rule in rules])
    rows = {(row.rule_id, row.side): row for row in rule_rows}
    found = {(row.action_id, row.side): row for row in action_rows}
    shown = []
    for campaign in campaigns:
        mine = [rule for rule in rules if rule.campaign_id == campaign.id]
        for side in _sides(campaign, rule_rows):
            shown.append(
                CampaignProgressOut(
                    campaign_id=campaign.id,
                    campaign_name=campaign.name,
                    campaign_type=campaign.type,
                    referral_role=None if side == "self" else side,
                    rules=_rules_out(mine, actions, rows, found, side, now),
                )
            )
    return shown


def _sides(campaign: Campaign, rule_rows: Sequence[RuleProgress]) -> list[str]:
    """Whose progress to show: the customer's own in a loyalty campaign; in a referral
    campaign as a referred customer and as a referrer, each where it has progress (as a
    referrer when it has none yet)."""
    if campaign.type == "loyalty":
        return ["self"]
    held = {row.side for row in rule_rows if row.campaign_id == campaign.id}
    return [side for side in ("referee", "referrer") if side in held] or ["referrer"]
