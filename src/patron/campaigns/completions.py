"""What completing a rule does: the rule's reward through the one rewards module (exactly
once per rule, side and customer, by its unique constraint), and campaign.rule_completed
in the outbox, both in the completing transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import public_ids, specs
from patron.campaigns.definitions import iso
from patron.models import CampaignRule
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent
from patron.rewards.service import Earned, RewardIssuer

SOURCE_TYPE = "campaign_rule"
# One completion per rule and customer: the cycle is always the first.
PERIOD = "0"
THRESHOLD_OF_SIDE = MappingProxyType({"self": "completion", "referee": "referee", "referrer": "referrer"})


@dataclass(frozen=True, slots=True)
class Completion:
    rule: CampaignRule
    contact_id: uuid.UUID
    source_id: str
    side: str
    at: datetime


async def settle(session: AsyncSession, issuer: RewardIssuer, completions: Sequence[Completion]) -> None:
    if not completions:
        return
    earned = [
        Earned(
            c.contact_id,
            SOURCE_TYPE,
            c.rule.id,
            THRESHOLD_OF_SIDE[c.side],
            PERIOD,
            specs.issuer_reward(dict(c.rule.reward)),
        )
        for c in completions
    ]
    await issuer.issue(session, earned)
    await outbox.record(
        session,
        [
            NewEvent(
                EventType.CAMPAIGN_RULE_COMPLETED,
                {
                    "campaign_id": c.rule.campaign_id,
                    "rule_id": c.rule.id,
                    "rule_name": c.rule.name,
                    "action_type": c.rule.action_type,
                    "customer_id": public_ids.customer_id(c.contact_id),
                    "source_id": c.source_id,
                    "side": c.side,
                    "completed_at": iso(c.at),
                },
                c.contact_id,
                c.at,
            )
            for c in completions
        ],
    )
