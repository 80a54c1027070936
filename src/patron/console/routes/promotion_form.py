"""The promotion form: its fields to the API's body (NewPromotion / PromotionChange), and a
stored promotion back to the form's values, so creating and editing share one template."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from patron.console.web import field
from patron.models import Promotion

CHANNELS = ("POS", "ECOM", "OTHER")
VALUE_TYPES = ("PERCENT", "MONEY", "EXTERNALOFFER", "MANUAL")
UNITS = ("Days", "Weeks", "Months", "Years")


def _value(value_type: str, text: str, currency: str) -> Any:
    # A percentage or an amount goes as the text typed: the schema reads numeric strings.
    if value_type == "MONEY":
        return {"currency": currency or "EUR", "amount": text}
    return text or None


def body_of(form: FormData) -> dict[str, Any]:
    """The JSON body the API would have been sent; the schema validates it as it does there."""
    validity: dict[str, Any] = {"startDate": field(form, "startDate")}
    if field(form, "endDate"):
        validity["endDate"] = field(form, "endDate")
    if field(form, "validityAmount"):
        validity["assignedValidity"] = {
            "unit": field(form, "validityUnit") or "Days",
            "amount": field(form, "validityAmount"),
        }
    channels = []
    for channel in CHANNELS:
        if not field(form, f"{channel}.on"):
            continue
        value_type = field(form, f"{channel}.valueType")
        entry: dict[str, Any] = {
            "type": channel,
            "valueType": value_type,
            "value": _value(value_type, field(form, f"{channel}.value"), field(form, f"{channel}.currency")),
        }
        if field(form, f"{channel}.instruction"):
            entry["instruction"] = field(form, f"{channel}.instruction")
        channels.append(entry)
    presentation = {
        name: field(form, name)
        for name in ("heading", "description", "link", "imageUrl")
        if field(form, name)
    }
    body: dict[str, Any] = {
        "name": field(form, "name"),
        "validity": validity,
        "redemptionChannels": channels,
    }
    if field(form, "externalId"):
        body["externalId"] = field(form, "externalId")
    if presentation:
        body["presentation"] = presentation
    return body


def values_of_form(form: FormData) -> dict[str, str]:
    """What the marketer typed, to show again when the form is refused."""
    return {name: value for name, value in form.items() if isinstance(value, str) and name != "csrf"}


def values_of(promotion: Promotion) -> dict[str, str]:
    values = {
        "name": promotion.name,
        "externalId": promotion.external_id or "",
        "startDate": promotion.start_date.isoformat(),
        "endDate": promotion.end_date.isoformat() if promotion.end_date else "",
        "validityUnit": promotion.validity_unit or "Days",
        "validityAmount": str(promotion.validity_amount or ""),
        "heading": promotion.heading or "",
        "description": promotion.description or "",
        "link": promotion.link or "",
        "imageUrl": promotion.image_url or "",
    }
    for channel in promotion.redemption_channels:
        kind = channel["type"]
        values[f"{kind}.on"] = "1"
        values[f"{kind}.valueType"] = channel["valueType"]
        value = channel.get("value")
        if isinstance(value, dict):
            values[f"{kind}.value"] = str(value.get("amount", ""))
            values[f"{kind}.currency"] = str(value.get("currency", ""))
        else:
            values[f"{kind}.value"] = "" if value is None else str(value)
        values[f"{kind}.instruction"] = channel.get("instruction") or ""
    return values
