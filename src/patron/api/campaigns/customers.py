"""Customers: upsert by source id, read, referral codes and the customers one referred."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Response, status

from patron.api.campaigns.dialect import dialect_router
from patron.api.deps import CurrentSettings, Integration, Session, errors
from patron.campaigns import customers
from patron.campaigns.errors import CustomerNotFound, ReferralCodeTaken
from patron.campaigns.schemas import CustomerIn, CustomerOut, ReferralCodeCheck, ReferralList
from patron.contacts.service import ContactRules
from patron.errors import BadRequest

router = dialect_router("campaigns: customers")

SourceIdPath = Annotated[str, Path(min_length=1, max_length=200)]


@router.post(
    "/customers",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": CustomerOut, "description": "An existing customer, updated."},
        **errors(BadRequest, ReferralCodeTaken),
    },
)
async def upsert_customer(
    body: CustomerIn, response: Response, session: Session, caller: Integration, settings: CurrentSettings
) -> CustomerOut:
    """Create the customer (201), or update the one with this source_id (200): metadata
    merges into what it had, a referral_code replaces its code."""
    shown, created = await customers.upsert(session, body, ContactRules.from_settings(settings))
    if not created:
        response.status_code = status.HTTP_200_OK
    return shown


@router.get("/customers/validate-code/{referral_code}", responses=errors(CustomerNotFound))
async def validate_referral_code(
    referral_code: Annotated[str, Path(min_length=1, max_length=64)], session: Session, caller: Integration
) -> ReferralCodeCheck:
    return await customers.check_code(session, referral_code)


@router.get("/customers/referral/list/{source_id}", responses=errors(CustomerNotFound))
async def list_referrals(
    source_id: SourceIdPath, session: Session, caller: Integration, settings: CurrentSettings
) -> ReferralList:
    return await customers.referrals(session, source_id, ContactRules.from_settings(settings))


@router.get("/customers/{source_id}", responses=errors(CustomerNotFound))
async def get_customer(
    source_id: SourceIdPath, session: Session, caller: Integration, settings: CurrentSettings
) -> CustomerOut:
    return await customers.read(session, source_id, ContactRules.from_settings(settings))
