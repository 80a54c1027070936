"""A receipt from the till or the web shop, and what Patron stored of it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import JsonValue

from patron_client.models.wire_model import CamelModel

MatchKeyType = Literal["ContactId", "Email", "MobilePhone", "ExternalId", "MemberNumber", "CardId"]
LineType = Literal["PURCHASE", "RETURN", "ADJUSTMENT"]


class ContactMatch(CamelModel):
    """Whose receipt it is: the contact's id (best: no lookup) or one of its unique keys."""

    match_key: str
    match_key_type: MatchKeyType = "ContactId"


class PaymentMethod(CamelModel):
    type: str
    value: Decimal
    description: str | None = None


class Discount(CamelModel):
    value: Decimal
    type: str | None = None
    description: str | None = None


class ReceiptLine(CamelModel):
    """A PURCHASE has a positive quantity, a RETURN a negative one with amounts of 0 or less."""

    type: LineType
    article_number: str
    article_name: str
    quantity: Decimal
    gross_paid_price: Decimal
    tax_amount: Decimal
    tax_percent: Decimal
    sku: str | None = None
    article_group: str | None = None
    discounts: list[Discount] = []
    extra_data: dict[str, JsonValue] | None = None


class UsedPromotion(CamelModel):
    """An offer (promotion assignment id) used on this receipt: the receipt redeems it."""

    promotion_id: str


class Receipt(CamelModel):
    unique_receipt_id: str
    receipt_number: str
    created_date: dt.datetime
    store_external_id: str
    currency: str
    total_gross_price: Decimal
    contact: ContactMatch
    items: list[ReceiptLine]
    payment_methods: list[PaymentMethod] = []
    used_promotions: list[UsedPromotion] = []
    exchange_rate_to_group_currency: Decimal | None = None
    extra_data: dict[str, JsonValue] | None = None


class StoredReceipt(CamelModel):
    id: str
    unique_receipt_id: str
    receipt_number: str
    contact_id: str
    store_external_id: str
    currency: str
    total_gross_price: Decimal
    created_date: str
    used_promotions: list[UsedPromotion] = []
    # True when Patron had it already and answered with what it stored then.
    replayed: bool = False
