"""Multichannel promotions: definitions (admin), assignments, the contact's list and redemption."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from patron.api.deps import Admin, CurrentSettings, Integration, Session, errors
from patron.api.dialect import Dialect, EngageDialect, rendered
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
    PromotionV2,
    RedeemRequest,
    StatusCodeV2,
    ValidityChange,
    ValidityOut,
)

router = APIRouter(tags=["promotions"])

ExternalId = Annotated[str, Query(min_length=1, max_length=200)]
ChannelFilter = Annotated[ChannelType | None, Query()]
DEFINITIONS = "/promotions/multichannels"


@router.post(
    DEFINITIONS,
    response_model=PromotionOut | PromotionV2,
    responses=errors(BadRequest, PromotionAlreadyExists),
)
async def create_promotion(
    body: NewPromotion, session: Session, caller: Admin, settings: CurrentSettings, dialect: EngageDialect
) -> PromotionOut | PromotionV2:
    promotion = await promotions.create_draft(session, body, settings.zone)
    return rendered(dialect, promotions.promotion_out(promotion, settings.zone), PromotionV2)


@router.get(
    DEFINITIONS, response_model=PromotionOut | PromotionV2, responses=errors(BadRequest, PromotionNotFound)
)
async def get_promotion_by_external_id(
    externalId: ExternalId,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> PromotionOut | PromotionV2:
    promotion = await promotions.get_by_external_id(session, externalId)
    return rendered(dialect, promotions.promotion_out(promotion, settings.zone), PromotionV2)


def _deleted(dialect: Dialect, response: Response) -> Response | StatusCodeV2:
    # v2 clients parse the answer as a `StatusCodeResult`; v3 answers 204 with no body.
    if dialect is Dialect.V2:
        response.status_code = status.HTTP_200_OK
        return StatusCodeV2(statusCode="OK")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    DEFINITIONS,
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    responses={
        200: {"model": StatusCodeV2, "description": "v2"},
        **errors(BadRequest, PromotionNotFound, PromotionHasAssignments),
    },
)
async def delete_promotion_by_external_id(
    externalId: ExternalId, session: Session, caller: Admin, dialect: EngageDialect, response: Response
) -> Response | StatusCodeV2:
    await promotions.delete_by_external_id(session, externalId)
    return _deleted(dialect, response)


# Declared before /{promotionId}, which would otherwise take `validity` for an id.
@router.get(
    DEFINITIONS + "/validity", response_model=ValidityOut, responses=errors(BadRequest, PromotionNotFound)
)
async def get_promotion_validity_by_external_id(
    externalId: ExternalId, session: Session, caller: Integration, settings: CurrentSettings
) -> ValidityOut:
    promotion = await promotions.get_by_external_id(session, externalId)
    return promotions.validity_out(promotion, settings.zone)


@router.get(
    DEFINITIONS + "/{promotionId}",
    response_model=PromotionOut | PromotionV2,
    responses=errors(BadRequest, PromotionNotFound),
)
async def get_promotion(
    promotionId: uuid.UUID,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> PromotionOut | PromotionV2:
    return rendered(
        dialect,
        promotions.promotion_out(await promotions.get(session, promotionId), settings.zone),
        PromotionV2,
    )


@router.put(
    DEFINITIONS + "/{promotionId}",
    response_model=PromotionOut | PromotionV2,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft, PromotionAlreadyExists),
)
async def replace_promotion(
    promotionId: uuid.UUID,
    body: PromotionChange,
    session: Session,
    caller: Admin,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> PromotionOut | PromotionV2:
    promotion = await promotions.replace(session, promotionId, body, settings.zone)
    return rendered(dialect, promotions.promotion_out(promotion, settings.zone), PromotionV2)


@router.delete(
    DEFINITIONS + "/{promotionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_model=None,
    responses={
        200: {"model": StatusCodeV2, "description": "v2"},
        **errors(BadRequest, PromotionNotFound, PromotionHasAssignments),
    },
)
async def delete_promotion(
    promotionId: uuid.UUID, session: Session, caller: Admin, dialect: EngageDialect, response: Response
) -> Response | StatusCodeV2:
    await promotions.delete(session, promotionId)
    return _deleted(dialect, response)


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
    response_model=ValidityOut | PromotionV2,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft),
)
async def replace_promotion_validity(
    promotionId: uuid.UUID,
    body: ValidityChange,
    session: Session,
    caller: Admin,
    settings: CurrentSettings,
    dialect: EngageDialect,
) -> ValidityOut | PromotionV2:
    """v3 answers the validity; v2 clients read the whole promotion back."""
    promotion = await promotions.replace_validity(session, promotionId, body, settings.zone)
    if dialect is Dialect.V2:
        return PromotionV2.model_validate(promotions.promotion_out(promotion, settings.zone).model_dump())
    return promotions.validity_out(promotion, settings.zone)


@router.post(
    DEFINITIONS + "/{promotionId}/activate",
    response_model=PromotionOut | PromotionV2,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotDraft),
)
async def activate_promotion(
    promotionId: uuid.UUID, session: Session, caller: Admin, settings: CurrentSettings, dialect: EngageDialect
) -> PromotionOut | PromotionV2:
    return rendered(
        dialect,
        promotions.promotion_out(await promotions.activate(session, promotionId), settings.zone),
        PromotionV2,
    )


@router.post(
    DEFINITIONS + "/{promotionId}/deactivate",
    response_model=PromotionOut | PromotionV2,
    responses=errors(BadRequest, PromotionNotFound, PromotionNotActive),
)
async def deactivate_promotion(
    promotionId: uuid.UUID, session: Session, caller: Admin, settings: CurrentSettings, dialect: EngageDialect
) -> PromotionOut | PromotionV2:
    return rendered(
        dialect,
        promotions.promotion_out(await promotions.deactivate(session, promotionId), settings.zone),
        PromotionV2,
    )


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
    "/contacts/{contactId}/promotions/{promotionId}/assign",
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
async def assign_promotion_to_contact(
    contactId: Annotated[str, Path(max_length=100)],
    promotionId: Annotated[str, Path(max_length=100)],
    session: Session,
    caller: Admin,
    settings: CurrentSettings,
) -> AssignmentOut:
    """The v2 clients' spelling of POST /promotion-assignments."""
    request = AssignmentRequest(contactId=contactId, promotionId=promotionId)
    assignment, promotion = await promotions.assign_request(session, request)
    return promotions.assignment_out(assignment, promotion, settings.zone)


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


@router.post(
    "/contacts/{contactId}/promotions/{promotionId}/redeem",
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
async def redeem_contact_promotion(
    contactId: Annotated[str, Path(max_length=100)],
    promotionId: Annotated[str, Path(max_length=100)],
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    body: RedeemRequest | None = None,
) -> AssignmentOut:
    """The v2 clients' spelling: `promotionId` is the contact's offer (the assignment), which
    must be this contact's."""
    channel = None if body is None else body.redemptionChannel
    request = RedeemRequest(redemptionChannel=channel, contactId=contactId)
    assignment, promotion = await promotions.redeem(session, promotionId, request)
    return promotions.assignment_out(assignment, promotion, settings.zone)
