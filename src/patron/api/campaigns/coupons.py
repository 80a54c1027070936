"""Coupons: a customer's coupons, validating them for an order, and redeeming or reverting
them (`?type=redeem|revert`)."""

from __future__ import annotations

from typing import Literal

from patron.api.campaigns.dialect import dialect_router
from patron.api.deps import CurrentSettings, Integration, Session, errors
from patron.campaigns import coupons, customers
from patron.campaigns.errors import CouponAlreadyRedeemed, CouponNotRedeemed, CouponNotValid, CustomerNotFound
from patron.campaigns.schemas import CouponApplied, CouponCheck, CouponList, CouponListRequest, CouponRequest
from patron.contacts.service import ContactRules
from patron.errors import BadRequest

router = dialect_router("campaigns: coupons")


@router.post("/coupons/list/all", responses=errors(BadRequest, CustomerNotFound))
async def list_coupons(
    body: CouponListRequest, session: Session, caller: Integration, settings: CurrentSettings
) -> CouponList:
    """The customer's coupons and whether each may be used."""
    customer = await customers.find(session, body.source_id, ContactRules.from_settings(settings))
    return await coupons.listed(session, customer)


@router.post("/coupons/validate", responses=errors(BadRequest, CustomerNotFound))
async def validate_coupons(
    body: CouponRequest, session: Session, caller: Integration, settings: CurrentSettings
) -> CouponCheck:
    """Whether each coupon may be redeemed by this customer now, and why not; changes nothing."""
    customer = await customers.find(session, body.source_id, ContactRules.from_settings(settings))
    return await coupons.validate(session, customer, body)


@router.post(
    "/coupons/apply",
    responses=errors(BadRequest, CustomerNotFound, CouponNotValid, CouponAlreadyRedeemed, CouponNotRedeemed),
)
async def apply_coupons(
    body: CouponRequest,
    session: Session,
    caller: Integration,
    settings: CurrentSettings,
    type: Literal["redeem", "revert"] = "redeem",
) -> CouponApplied:
    """Redeem every coupon for the order, or revert their redemption: all or none. A coupon
    redeems once (409 coupon_already_redeemed after that) and reverts once."""
    customer = await customers.find(session, body.source_id, ContactRules.from_settings(settings))
    if type == "revert":
        return await coupons.revert(session, customer, body)
    return await coupons.redeem(session, customer, body)
