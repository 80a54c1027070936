"""Campaign definitions (admin): create, read, change, list and end campaigns.

A rule customers have progress on keeps its definition: changing it would move the goal
under them, so a change is refused (409) and a new version is a new rule. A rule left out
of a change is retired: it listens to nothing more, and its participants' progress stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import public_ids, repository, specs
from patron.campaigns.errors import CampaignEnded, CampaignNotFound, RuleInProgress
from patron.campaigns.schemas import (
    ActionOut,
    CampaignChanges,
    CampaignIn,
    CampaignList,
    CampaignOut,
    ConditionOut,
    RuleIn,
    RuleOut,
    plain_number,
)
from patron.errors import BadRequest
from patron.kit import clock
from patron.models import Campaign, CampaignAction, CampaignRule
from patron.rewards.service import check_issuable

MAX_LIMIT = 100


def iso(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def campaign_out(
    campaign: Campaign, rules: Sequence[CampaignRule], actions: Sequence[CampaignAction]
) -> CampaignOut:
    by_rule: dict[str, list[CampaignAction]] = {}
    for action in actions:
        by_rule.setdefault(action.rule_id, []).append(action)
    return CampaignOut(
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        campaign_type=campaign.type,
        status=campaign.status,
        starts_at=iso(campaign.starts_at),
        ends_at=iso(campaign.ends_at),
        created_at=iso(campaign.created_on) or "",
        updated_at=iso(campaign.modified_on) or "",
        rules=[
            RuleOut(
                rule_id=rule.id,
                rule_name=rule.name,
                action_type=rule.action_type,
                time_duration=rule.time_duration,
                reward=dict(rule.reward),
                actions=[
                    ActionOut(
                        event_id=action.id,
                        event_name=action.event_name,
                        role=action.role,
                        aggregation=action.aggregation,
                        property=action.property,
                        target=plain_number(action.target),
                        conditions=[ConditionOut(**condition) for condition in action.conditions],
                    )
                    for action in by_rule.get(rule.id, [])
                ],
            )
            for rule in rules
            if rule.campaign_id == campaign.id
        ],
    )


async def _check_referral_rules(campaign_type: str, rules: Sequence[RuleIn]) -> None:
    if campaign_type == "referral" and any(rule.action_type.value == "IWT" for rule in rules):
        raise BadRequest(
            "A referral campaign rewards what referred customers do; IWT rules are for loyalty campaigns.",
            details=[{"field": "rules", "message": "IWT in a referral campaign"}],
        )


async def _add_rule(
    session: AsyncSession, campaign_id: str, position: int, body: RuleIn, now: datetime
) -> None:
    rule = CampaignRule(
        id=public_ids.new("valr_"),
        campaign_id=campaign_id,
        position=position,
        name=body.name,
        action_type=body.action_type.value,
        time_duration=body.time_duration,
        reward=specs.reward_of(body),
        retired_on=None,
        created_on=now,
    )
    repository.add(session, rule)
    # Written before its actions, which point at it (the models declare no relationships).
    await session.flush()
    _add_actions(session, rule.id, body)


def _add_actions(session: AsyncSession, rule_id: str, body: RuleIn) -> None:
    for index, action in enumerate(body.actions):
        repository.add(
            session,
            CampaignAction(
                id=public_ids.new("even_"),
                rule_id=rule_id,
                position=index,
                event_name=action.event_name,
                role=action.role.value if action.role else None,
                aggregation=action.aggregation,
                property=action.property,
                target=action.target,
                conditions=[condition.model_dump(mode="json") for condition in action.conditions],
            ),
        )


async def _promised(session: AsyncSession, rules: Sequence[RuleIn]) -> None:
    """A promotion reward must name a promotion that exists (404 otherwise)."""
    await check_issuable(session, [specs.issuer_reward(specs.reward_of(rule)) for rule in rules])


async def create(session: AsyncSession, body: CampaignIn) -> CampaignOut:
    await _check_referral_rules(body.type, body.rules)
    await _promised(session, body.rules)
    now = clock.now()
    campaign = Campaign(
        id=public_ids.new("camp_"),
        name=body.name,
        type=body.type,
        status=body.status,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        created_on=now,
        modified_on=now,
    )
    repository.add(session, campaign)
    await session.flush()
    for position, rule in enumerate(body.rules):
        await _add_rule(session, campaign.id, position, rule, now)
    await session.flush()
    return await get(session, campaign.id)


async def _campaign(session: AsyncSession, campaign_id: str) -> Campaign:
    found = await repository.campaign(session, campaign_id)
    if found is None:
        raise CampaignNotFound(campaign_id)
    return found


async def get(session: AsyncSession, campaign_id: str) -> CampaignOut:
    campaign = await _campaign(session, campaign_id)
    rules = await repository.rules_of(session, [campaign.id])
    actions = await repository.actions_of(session, [rule.id for rule in rules])
    return campaign_out(campaign, rules, actions)


async def page(
    session: AsyncSession, status: str | None, kind: str | None, offset: int, limit: int
) -> CampaignList:
    campaigns, total = await repository.campaigns_page(session, status, kind, offset, limit)
    rules = await repository.rules_of(session, [c.id for c in campaigns])
    actions = await repository.actions_of(session, [rule.id for rule in rules])
    return CampaignList(
        data=[campaign_out(c, rules, actions) for c in campaigns], offset=offset, limit=limit, total=total
    )


async def change(session: AsyncSession, campaign_id: str, body: CampaignChanges) -> CampaignOut:
    campaign = await _campaign(session, campaign_id)
    if campaign.status == "ended":
        raise CampaignEnded()
    now = clock.now()
    sent = body.model_fields_set
    if "name" in sent and body.name is not None:
        campaign.name = body.name
    if "status" in sent and body.status is not None:
        campaign.status = body.status
    if "starts_at" in sent:
        campaign.starts_at = body.starts_at
    if "ends_at" in sent:
        campaign.ends_at = body.ends_at
    if campaign.starts_at and campaign.ends_at and campaign.ends_at <= campaign.starts_at:
        raise BadRequest(
            "ends_at must be after starts_at.", details=[{"field": "ends_at", "message": "before starts_at"}]
        )
    if body.rules is not None:
        await _check_referral_rules(campaign.type, body.rules)
        await _promised(session, body.rules)
        await _change_rules(session, campaign, body.rules, now)
    campaign.modified_on = now
    await session.flush()
    return await get(session, campaign.id)


async def _change_rules(
    session: AsyncSession, campaign: Campaign, wanted: Sequence[RuleIn], now: datetime
) -> None:
    current = {rule.id: rule for rule in await repository.rules_of(session, [campaign.id])}
    actions = await repository.actions_of(session, list(current))
    by_rule: dict[str, list[CampaignAction]] = {}
    for action in actions:
        by_rule.setdefault(action.rule_id, []).append(action)
    in_progress = await repository.rules_with_progress(session, list(current))
    kept: set[str] = set()
    for position, body in enumerate(wanted):
        if body.rule_id is None:
            await _add_rule(session, campaign.id, position, body, now)
            continue
        rule = current.get(body.rule_id)
        if rule is None:
            raise BadRequest(
                f"Rule {body.rule_id} is not a current rule of this campaign.",
                details=[{"field": f"rules.{position}.rule_id", "message": "unknown rule"}],
            )
        kept.add(rule.id)
        rule.name, rule.position = body.name, position
        if specs.definition_of_body(body) == specs.definition_of_row(rule, by_rule.get(rule.id, [])):
            continue
        if rule.id in in_progress:
            raise RuleInProgress(details={"rule_id": rule.id})
        rule.action_type = body.action_type.value
        rule.time_duration = body.time_duration
        rule.reward = specs.reward_of(body)
        await repository.delete_actions(session, rule.id)
        _add_actions(session, rule.id, body)
    for rule_id, rule in current.items():
        if rule_id not in kept:
            rule.retired_on = now


async def end(session: AsyncSession, campaign_id: str) -> CampaignOut:
    """End the campaign now: it takes no more events; what was earned stays earned."""
    campaign = await _campaign(session, campaign_id)
    now = clock.now()
    if campaign.status != "ended":
        campaign.status = "ended"
        if campaign.ends_at is None or campaign.ends_at > now:
            campaign.ends_at = now
        campaign.modified_on = now
        await session.flush()
    return await get(session, campaign.id)
