"""Receipts a till would send."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from patron_client.models import ContactMatch, PaymentMethod, Receipt, ReceiptLine, UsedPromotion


def receipt(
    unique_id: str, store: str, contact_id: str, *, total: str = "249.00", offer: str | None = None
) -> Receipt:
    amount = Decimal(total)
    return Receipt(
        unique_receipt_id=unique_id,
        receipt_number=unique_id[-12:],
        created_date=dt.datetime(2026, 12, 7, 14, 5, tzinfo=dt.UTC),
        store_external_id=store,
        currency="SEK",
        total_gross_price=amount,
        contact=ContactMatch(match_key=contact_id, match_key_type="ContactId"),
        payment_methods=[PaymentMethod(type="Card", value=amount)],
        items=[
            ReceiptLine(
                type="PURCHASE",
                article_number="TS-100",
                article_name="T-shirt",
                quantity=Decimal(1),
                gross_paid_price=amount,
                tax_amount=(amount * Decimal("0.2")).quantize(Decimal("0.01")),
                tax_percent=Decimal(25),
            )
        ],
        used_promotions=[UsedPromotion(promotion_id=offer)] if offer else [],
    )
