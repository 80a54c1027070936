"""A contact's offers, and redeeming one."""

from __future__ import annotations

import json
from urllib.parse import quote

from patron_client.models.promotions import Offer, OfferChannel, RedemptionChannel
from patron_client.operations.answers import list_of, model_of
from patron_client.request import Call, Operation


def offers_for(contact_id: str, channel: OfferChannel | None = None) -> Operation[list[Offer]]:
    """Active offers a till (POS) or web shop (ECOM) may show, redeemed ones included."""
    params = (("contactId", contact_id),) + ((("redemptionChannelType", channel),) if channel else ())
    return Operation(Call("GET", "/promotion-assignments", params=params, kind="offers"), list_of(Offer))


def redeem(assignment_id: str, channel: RedemptionChannel = "POS") -> Operation[Offer]:
    """Marks the offer used, exactly once: a second redeem is PromotionAlreadyRedeemed, while a
    retry of this call (same Idempotency-Key) gets this call's own answer back."""
    body = json.dumps({"redemptionChannel": channel}, separators=(",", ":")).encode()
    path = f"/promotion-assignments/{quote(assignment_id, safe='')}/redeem"
    return Operation(Call("POST", path, body=body, kind=f"redeem {assignment_id}"), model_of(Offer))
