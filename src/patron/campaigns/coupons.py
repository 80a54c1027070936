"""Coupons in the campaigns dialect: the coupon codes issued as rewards (by campaign rules
here, or by record milestones) listed, validated, redeemed and reverted for their owner,
through the rewards module's coupon uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import public_ids
from patron.campaigns.definitions import iso
from patron.campaigns.errors import CouponAlreadyRedeemed, CouponNotRedeemed, CouponNotValid
from patron.campaigns.schemas import (
    CouponApplied,
    CouponCheck,
    CouponDetail,
    CouponList,
    CouponOut,
    CouponRequest,
    CouponVerdict,
)
from patron.errors import BadRequest
from patron.kit import clock
from patron.models import CampaignCustomer, Coupon
from patron.rewards import coupon_uses
from patron.rewards.coupon_uses import Refusal, Verdict

MISMATCH = "coupon_id_mismatch"


def _status(coupon: Coupon, now: datetime) -> str:
    if coupon.redeemed_on is not None:
        return "redeemed"
    if coupon.expires_on is not None and coupon.expires_on <= now:
        return "expired"
    return "active"


async def listed(session: AsyncSession, customer: CampaignCustomer) -> CouponList:
    now = clock.now()
    shown = []
    for coupon in await coupon_uses.coupons_of(session, customer.contact_id):
        status = _status(coupon, now)
        shown.append(
            CouponOut(
                coupon_id=public_ids.coupon_id(coupon.reward_id),
                coupon_code=coupon.code,
                status=status,
                issued_at=iso(coupon.issued_on),
                expires_at=iso(coupon.expires_on),
                redeemed_at=iso(coupon.redeemed_on),
                order_id=coupon.redeemed_order_id,
                applicable=status == "active",
            )
        )
    return CouponList(source_id=customer.source_id, coupons=shown)


def _verdicts(details: Sequence[CouponDetail], verdicts: Sequence[Verdict]) -> list[CouponVerdict]:
    shown = []
    for detail, verdict in zip(details, verdicts, strict=True):
        reason = verdict.refusal.value if verdict.refusal is not None else None
        if verdict.coupon is not None and reason is None and not _names(detail, verdict.coupon):
            reason = MISMATCH
        shown.append(
            CouponVerdict(
                coupon_id=detail.coupon_id,
                coupon_code=detail.coupon_code,
                valid=reason is None,
                reason=reason,
            )
        )
    return shown


def _names(detail: CouponDetail, coupon: Coupon) -> bool:
    """A coupon_id other than "bulk" must be this coupon's own."""
    return detail.coupon_id == "bulk" or detail.coupon_id == public_ids.coupon_id(coupon.reward_id)


def _codes(body: CouponRequest) -> list[str]:
    codes = [detail.coupon_code for detail in body.coupon_details]
    if len(set(codes)) != len(codes):
        raise BadRequest(
            "Each coupon is named once.", details=[{"field": "coupon_details", "message": "a code repeats"}]
        )
    return codes


async def validate(session: AsyncSession, customer: CampaignCustomer, body: CouponRequest) -> CouponCheck:
    verdicts = await coupon_uses.check(session, _codes(body), customer.contact_id, clock.now())
    shown = _verdicts(body.coupon_details, verdicts)
    return CouponCheck(source_id=customer.source_id, valid=all(v.valid for v in shown), coupons=shown)


def _mismatched(body: CouponRequest, verdicts: Sequence[Verdict]) -> list[CouponVerdict]:
    return [v for v in _verdicts(body.coupon_details, verdicts) if v.reason == MISMATCH]


async def redeem(session: AsyncSession, customer: CampaignCustomer, body: CouponRequest) -> CouponApplied:
    if body.order is None:
        raise BadRequest("Redeeming needs the order.", details=[{"field": "order", "message": "required"}])
    codes = _codes(body)
    # Ids are checked first, on what the codes name; nothing is locked or changed for a mismatch.
    mismatched = _mismatched(body, await coupon_uses.check(session, codes, customer.contact_id, clock.now()))
    if mismatched:
        raise CouponNotValid(details=[v.model_dump() for v in mismatched])
    verdicts = await coupon_uses.redeem(session, codes, customer.contact_id, body.order.order_id, clock.now())
    return _applied(customer, body, verdicts, "redeem")


async def revert(session: AsyncSession, customer: CampaignCustomer, body: CouponRequest) -> CouponApplied:
    codes = _codes(body)
    order_id = body.order.order_id if body.order is not None else None
    verdicts = await coupon_uses.revert(session, codes, customer.contact_id, order_id, clock.now())
    return _applied(customer, body, verdicts, "revert")


def _applied(
    customer: CampaignCustomer, body: CouponRequest, verdicts: Sequence[Verdict], kind: str
) -> CouponApplied:
    shown = _verdicts(body.coupon_details, verdicts)
    refused = [v for v in shown if not v.valid]
    if refused:
        details = [v.model_dump() for v in refused]
        reasons = {v.reason for v in refused}
        if reasons == {Refusal.ALREADY_REDEEMED.value}:
            raise CouponAlreadyRedeemed(details=details)
        if reasons == {Refusal.NOT_REDEEMED.value}:
            raise CouponNotRedeemed(details=details)
        raise CouponNotValid(details=details)
    return CouponApplied(
        source_id=customer.source_id,
        type=kind,
        order_id=body.order.order_id if body.order is not None else None,
        coupons=shown,
    )
