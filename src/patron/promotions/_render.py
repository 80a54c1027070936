"""Promotions and assignments as the Engage dialect shows them."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from patron.kit.timefmt import local_iso
from patron.models import Promotion, PromotionAssignment
from patron.promotions import validity
from patron.promotions.repository import Offer
from patron.promotions.schemas import (
    AssignedValidity,
    AssignmentOut,
    ChannelOut,
    Presentation,
    PromotionOut,
    ValidityOut,
    wire_number,
)


def _value_out(stored: dict[str, Any]) -> Any:
    value = stored.get("value")
    if stored.get("valueType") == "MONEY" and isinstance(value, dict):
        return {"currency": value["currency"], "amount": wire_number(Decimal(value["amount"]))}
    return value


def channels_out(stored: list[dict[str, Any]]) -> list[ChannelOut]:
    return [
        ChannelOut(
            type=channel["type"],
            valueType=channel["valueType"],
            value=_value_out(channel),
            instruction=channel.get("instruction"),
        )
        for channel in stored
    ]


def validity_out(promotion: Promotion, zone: ZoneInfo) -> ValidityOut:
    here = ZoneInfo(promotion.time_zone)
    start = validity.start_of_day(promotion.start_date, here)
    end = None if promotion.end_date is None else validity.end_of_day(promotion.end_date, here)
    assigned = None
    if promotion.validity_unit is not None and promotion.validity_amount is not None:
        assigned = AssignedValidity(unit=promotion.validity_unit, amount=promotion.validity_amount)
    return ValidityOut(
        startDate=local_iso(start, zone) or "", endDate=local_iso(end, zone), assignedValidity=assigned
    )


def promotion_out(promotion: Promotion, zone: ZoneInfo, status: validity.Status) -> PromotionOut:
    return PromotionOut(
        id=promotion.id,
        status=status.value,
        externalId=promotion.external_id,
        name=promotion.name,
        validity=validity_out(promotion, zone),
        presentation=Presentation(
            heading=promotion.heading,
            description=promotion.description,
            link=promotion.link,
            imageUrl=promotion.image_url,
        ),
        redemptionChannels=channels_out(promotion.redemption_channels),
    )


def assignment_out(assignment: PromotionAssignment, promotion: Promotion, zone: ZoneInfo) -> AssignmentOut:
    """One assignment in the list-item shape, rendered like a row of the till's list."""
    offer = SimpleNamespace(
        assignment_id=assignment.id,
        promotion_id=promotion.id,
        external_id=promotion.external_id,
        name=promotion.name,
        expires_on=assignment.expires_on,
        heading=promotion.heading,
        description=promotion.description,
        redeemed_on=assignment.redeemed_on,
        image_url=promotion.image_url,
        link=promotion.link,
        redemption_channels=promotion.redemption_channels,
    )
    return offer_out(offer, zone)


def offer_out(offer: Offer | SimpleNamespace, zone: ZoneInfo) -> AssignmentOut:
    """An item of the till's list, from one row of `repository.visible_offers`."""
    return AssignmentOut(
        id=offer.assignment_id,
        promotionId=offer.promotion_id,
        externalId=offer.external_id,
        name=offer.name,
        expiresOn=local_iso(offer.expires_on, zone),
        heading=offer.heading,
        description=offer.description,
        redeemed=offer.redeemed_on is not None,
        redeemedOn=local_iso(offer.redeemed_on, zone),
        imageUrl=offer.image_url,
        link=offer.link,
        redemptionChannels=channels_out(offer.redemption_channels),
    )
