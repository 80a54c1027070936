"""Multichannel promotions: definitions (admin), assignments, the contact's list and redemption."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from patron.api.deps import Admin, CurrentSettings, Integration, Session, errors
from patron.config import Settings
from patron.contacts.errors import ContactNotFound
from patron.errors import BadRequest
from patron.promotions import service as promotions
from patron.promotions.errors import (
    GatewayTimeout,
    InvalidContactId,
    InvalidPromotionId,
    InvalidPromotionIdNoData,
    NotAValidRedemptionChannel,
    PromotionAlreadyExists,
    PromotionAlreadyRedeemed,
    PromotionExpired,
    PromotionHasAssignments,
    PromotionNotActive,
    PromotionNotAssociatedWithContact,
    PromotionNotDraft,
    PromotionNotFound,
    PromotionNotValidForRedemptionChannel,
)
from patron.promotions.schemas import (
    AssignmentOut,
    AssignmentRequest,
    ChannelType,
    NewPromotion,
    PromotionChange,
    PromotionOut,
    RedeemRequest,
    ValidityChange,
    ValidityOut,
)

router = APIRouter(tags=["promotions"])

ExternalId = Annotated[str, Query(min_length=1, max_length=200)]
ChannelFilter = Annotated[ChannelType | None, Query()]
DEFINITIONS = "/promotions/multichannels"


@router.post(DEFINITIONS, response_model=PromotionOut, responses=errors(BadRequest, PromotionAlreadyExists))
async def create_promotion(
    body: NewPromotion, session: Session, caller: Admin, settings: CurrentSettings
) -> PromotionOut:
    promotion = await promotions.create_draft(session, body, settings.zone)
    return promotions.promotion_out(promotion, settings.zone)


@router.get(DEFINITIONS, response_model=PromotionOut, responses=errors(BadRequest, PromotionNotFound))
async def get_promotion_by_external_id(
    externalId: ExternalId, session: Session, caller: Integration, settings: CurrentSettings
) -> PromotionOut:
    promotion = await promotions.get_by_external_id(session, externalId)
    return promotions.promotion_out(promotion, settings.zone)


@router.delete(
    DEFINITIONS,
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(BadRequest, PromotionNotFound, PromotionHasAssignments),
)
async def delete_promotion_by_external_id(externalId: ExternalId, session: Session, caller: Admin) -> None:
    await promotions.delete_by_external_id(session, externalId)


@router.get(
    DEFINITIONS + "/{promotionId}",
    response_model=PromotionOut,
    responses=errors(BadRequest, PromotionNotFound),
)
async def get_promotion(
    promotionId: uuid.UUID, session: Session, caller: Integration, settings: CurrentSettings
) -> PromotionOut:
    return promotions.promotion_out(await promotions.get(session, promotionId), settings.zone)


@router.put(
    DEFINITIONS + "/{promotionId}",
    response_model=PromotionOut,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft, PromotionAlreadyExists),
)
async def replace_promotion(
    promotionId: uuid.UUID, body: PromotionChange, session: Session, caller: Admin, settings: CurrentSettings
) -> PromotionOut:
    promotion = await promotions.replace(session, promotionId, body, settings.zone)
    return promotions.promotion_out(promotion, settings.zone)


@router.delete(
    DEFINITIONS + "/{promotionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(BadRequest, PromotionNotFound, PromotionHasAssignments),
)
async def delete_promotion(promotionId: uuid.UUID, session: Session, caller: Admin) -> None:
    await promotions.delete(session, promotionId)


@router.get(
    DEFINITIONS + "/{promotionId}/validity",
    response_model=ValidityOut,
    responses=errors(BadRequest, PromotionNotFound),
)
async def get_promotion_validity(
    promotionId: uuid.UUID, session: Session, caller: Integration, settings: CurrentSettings
) -> ValidityOut:
    return await promotions.validity_of(session, promotionId, settings.zone)


@router.put(
    DEFINITIONS + "/{promotionId}/validity",
    response_model=ValidityOut,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft),
)
async def replace_promotion_validity(
    promotionId: uuid.UUID, body: ValidityChange, session: Session, caller: Admin, settings: CurrentSettings
) -> ValidityOut:
    promotion = await promotions.replace_validity(session, promotionId, body, settings.zone)
    return promotions.validity_out(promotion, settings.zone)


@router.post(
    DEFINITIONS + "/{promotionId}/activate",
    response_model=PromotionOut,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft),
)
async def activate_promotion(
    promotionId: uuid.UUID, session: Session, caller: Admin, settings: CurrentSettings
) -> PromotionOut:
    return promotions.promotion_out(await promotions.activate(session, promotionId), settings.zone)


@router.post(
    DEFINITIONS + "/{promotionId}/deactivate",
    response_model=PromotionOut,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotActive),
)
async def deactivate_promotion(
    promotionId: uuid.UUID, session: Session, caller: Admin, settings: CurrentSettings
) -> PromotionOut:
    return promotions.promotion_out(await promotions.deactivate(session, promotionId), settings.zone)


@router.post(
    "/promotion-assignments",
    response_model=AssignmentOut,
    responses=errors(
        BadRequest,
        InvalidContactId,
        InvalidPromotionId,
        ContactNotFound,
        PromotionNotFound,
        PromotionNotActive,
    ),
)
async def assign_promotion(
    body: AssignmentRequest, session: Session, caller: Admin, settings: CurrentSettings
) -> AssignmentOut:
    assignment, promotion = await promotions.assign_request(session, body)
    return promotions.assignment_out(assignment, promotion, settings.zone)


async def _offers(
    session: AsyncSession, contact_id: str, channel: str | None, settings: Settings
) -> list[AssignmentOut]:
    """The offers a till or web shop may show, whichever path asked."""
    found = await promotions.offers_for_contact(session, contact_id, channel)
    return [promotions.offer_out(offer, settings.zone) for offer in found]


@router.get(
    "/promotion-assignments",
    response_model=list[AssignmentOut],
    responses=errors(BadRequest, InvalidContactId, ContactNotFound),
)
async def list_promotion_assignments(
    contactId: Annotated[str, Query(max_length=100)],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    redemptionChannelType: ChannelFilter = None,
) -> list[AssignmentOut]:
    return await _offers(session, contactId, redemptionChannelType, settings)


@router.get(
    "/contacts/{contactId}/promotions",
    response_model=list[AssignmentOut],
    responses=errors(BadRequest, InvalidContactId, ContactNotFound),
)
async def list_contact_promotions(
    contactId: Annotated[str, Path(max_length=100)],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    redemptionChannelType: ChannelFilter = None,
) -> list[AssignmentOut]:
    return await _offers(session, contactId, redemptionChannelType, settings)


@router.post(
    "/promotion-assignments/{assignmentId}/redeem",
    response_model=AssignmentOut,
    responses=errors(
        BadRequest,
        NotAValidRedemptionChannel,
        InvalidPromotionIdNoData,
        InvalidContactId,
        PromotionNotFound,
        PromotionNotAssociatedWithContact,
        PromotionNotValidForRedemptionChannel,
        PromotionAlreadyRedeemed,
        PromotionExpired,
        PromotionNotActive,
        GatewayTimeout,
    ),
)
async def redeem_promotion(
    assignmentId: str,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    body: RedeemRequest | None = None,
) -> AssignmentOut:
    assignment, promotion = await promotions.redeem(session, assignmentId, body)
    return promotions.assignment_out(assignment, promotion, settings.zone)
