"""Campaigns (admins define them; integrations read them) and each customer's reward progress."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query, status

from patron.api.campaigns.dialect import dialect_router
from patron.api.deps import Admin, CurrentSettings, Integration, Session, errors
from patron.campaigns import customers, definitions, progress_view
from patron.campaigns.errors import CampaignEnded, CampaignNotFound, CustomerNotFound, RuleInProgress
from patron.campaigns.schemas import (
    CampaignChanges,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignProgressOut,
    CampaignType,
    Status,
)
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.promotions.errors import PromotionNotFound

router = dialect_router("campaigns")

CampaignId = Annotated[str, Path(min_length=1, max_length=32)]


# Fields that do not apply are left out (an RTA action has no timer), as the seed shows them.
@router.get(
    "/campaigns/reward-progress",
    responses=errors(CustomerNotFound, CampaignNotFound),
    response_model_exclude_none=True,
)
async def reward_progress(
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    source_id: Annotated[str, Query(max_length=200)] = "",
    campaign_id: Annotated[str | None, Query(max_length=32)] = None,
    campaign_type: CampaignType | None = None,
) -> list[CampaignProgressOut]:
    """Every campaign the customer takes part in (or the one named), its rules and each
    action's progress."""
    customer = await customers.find(session, source_id, ContactRules.from_settings(settings))
    return await progress_view.reward_progress(session, customer, campaign_id, campaign_type)


@router.post(
    "/campaigns",
    status_code=status.HTTP_201_CREATED,
    responses=errors(BadRequest, PromotionNotFound),
)
async def create_campaign(body: CampaignIn, session: Session, caller: Admin) -> CampaignOut:
    return await definitions.create(session, body)


@router.get("/campaigns", responses=errors(BadRequest))
async def list_campaigns(
    session: Session,
    caller: Integration,
    status: Status | None = None,
    type: Literal["loyalty", "referral"] | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=definitions.MAX_LIMIT)] = 20,
) -> CampaignList:
    return await definitions.page(session, status, type, offset, limit)


@router.get("/campaigns/{campaign_id}", responses=errors(CampaignNotFound))
async def get_campaign(campaign_id: CampaignId, session: Session, caller: Integration) -> CampaignOut:
    return await definitions.get(session, campaign_id)


@router.patch(
    "/campaigns/{campaign_id}",
    responses=errors(BadRequest, CampaignNotFound, CampaignEnded, RuleInProgress, PromotionNotFound),
)
async def update_campaign(
    campaign_id: CampaignId, body: CampaignChanges, session: Session, caller: Admin
) -> CampaignOut:
    """Change what is sent. `rules` is the whole new list: a rule named by its rule_id is
    kept (its definition may change only while nobody has progress on it: 409), one without
    a rule_id is new, and a current rule left out is retired."""
    return await definitions.change(session, campaign_id, body)


@router.post("/campaigns/{campaign_id}/end", responses=errors(CampaignNotFound))
async def end_campaign(campaign_id: CampaignId, session: Session, caller: Admin) -> CampaignOut:
    """End it now: no more events count; what was earned stays earned."""
    return await definitions.end(session, campaign_id)
