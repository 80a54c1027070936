"""A contact's personal offers (promotion assignments) and their redemption."""

from __future__ import annotations

from typing import Literal

from pydantic import JsonValue

from patron_client.models.wire_model import CamelModel

RedemptionChannel = Literal["POS", "ECOM"]
OfferChannel = Literal["POS", "ECOM", "OTHER"]


class OfferRedemptionChannel(CamelModel):
    type: str
    value_type: str
    value: JsonValue = None
    instruction: str | None = None


class Offer(CamelModel):
    """One assignment: `id` is what a receipt's usedPromotions and a redeem name."""

    id: str
    promotion_id: str
    name: str
    redeemed: bool
    external_id: str | None = None
    expires_on: str | None = None
    heading: str | None = None
    description: str | None = None
    redeemed_on: str | None = None
    image_url: str | None = None
    link: str | None = None
    redemption_channels: list[OfferRedemptionChannel] = []
