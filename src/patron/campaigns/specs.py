"""Stored rules as the engine's rule specs, and as the dialect shows their definitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from patron.campaigns.conditions import Condition, Operator
from patron.campaigns.rules import ActionSpec, ActionType, Role, RuleSpec
from patron.campaigns.schemas import ActionIn, RuleIn, plain_number
from patron.models import CampaignAction, CampaignRule
from patron.progress.engine import Aggregation


def spec_of(rule: CampaignRule, actions: Sequence[CampaignAction]) -> RuleSpec:
    return RuleSpec(
        id=rule.id,
        campaign_id=rule.campaign_id,
        action_type=ActionType(rule.action_type),
        time_duration=rule.time_duration,
        actions=tuple(
            ActionSpec(
                id=action.id,
                event_name=action.event_name,
                role=Role(action.role) if action.role else None,
                aggregation=Aggregation(action.aggregation),
                summed_property=action.property,
                target=action.target,
                conditions=tuple(
                    Condition(c["property"], Operator(c["op"]), c["value"]) for c in action.conditions
                ),
            )
            for action in actions
        ),
    )


def reward_of(body: RuleIn) -> dict[str, Any]:
    """The reward as the dialect writes it (snake_case), kept as sent."""
    return body.reward.model_dump(mode="json", exclude_none=True)


def action_definition(action: ActionIn | CampaignAction) -> dict[str, Any]:
    conditions = (
        [c.model_dump(mode="json") for c in action.conditions]
        if isinstance(action, ActionIn)
        else list(action.conditions)
    )
    return {
        "event_name": action.event_name,
        "role": action.role.value if isinstance(action.role, Role) else action.role,
        "aggregation": action.aggregation,
        "property": action.property,
        "target": plain_number(action.target),
        "conditions": conditions,
    }


def definition_of_body(body: RuleIn) -> dict[str, Any]:
    """What a rule is, for telling whether a change alters it (its name is not part of it)."""
    return {
        "action_type": body.action_type.value,
        "time_duration": body.time_duration,
        "reward": reward_of(body),
        "actions": [action_definition(action) for action in body.actions],
    }


def definition_of_row(rule: CampaignRule, actions: Sequence[CampaignAction]) -> dict[str, Any]:
    return {
        "action_type": rule.action_type,
        "time_duration": rule.time_duration,
        "reward": dict(rule.reward),
        "actions": [action_definition(action) for action in actions],
    }


def issuer_reward(reward: dict[str, Any]) -> dict[str, Any]:
    """The dialect's reward in the rewards module's words."""
    kind = reward["type"]
    if kind == "points":
        offer: dict[str, Any] = {"type": "points", "amount": reward["amount"]}
        if reward.get("definition_id"):
            offer["definitionId"] = reward["definition_id"]
        return offer
    if kind == "coupon":
        offer = {"type": "coupon", "codePrefix": reward.get("code_prefix", "")}
        if reward.get("valid_days"):
            offer["validDays"] = reward["valid_days"]
        return offer
    return {"type": "promotion", "promotionId": reward["promotion_id"]}
