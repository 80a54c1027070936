"""A receipt as stored: its own columns, its lines and its payments, as plain values.

One shape for a receipt just written and one read back, so a new receipt is answered from
what was sent without reading it again. Field names are the tables' column names.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    id: uuid.UUID
    unique_receipt_id: str
    fingerprint: str
    store_external_id: str
    receipt_number: str
    created_date: datetime
    currency: str
    total_gross_price: Decimal
    # Exact decimal text: exchange rates need more places than money has.
    exchange_rate_to_group_currency: str | None
    used_promotions: list[str]
    extra_data: dict[str, Any] | None
    recorded_on: datetime


@dataclass(frozen=True, slots=True)
class LineRecord:
    id: uuid.UUID
    position: int
    type: str
    sku: str | None
    article_number: str
    article_name: str
    article_group: str | None
    quantity: Decimal
    gross_paid_price: Decimal
    tax_amount: Decimal
    tax_percent: Decimal
    # [{"value", "type", "description"}], amounts as decimal text so JSON keeps them exact.
    discounts: list[dict[str, Any]]
    extra_data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: uuid.UUID
    position: int
    type: str
    value: Decimal
    description: str | None


@dataclass(frozen=True, slots=True)
class StoredReceipt:
    """A receipt with the contact it was matched to."""

    receipt: ReceiptRecord
    contact_id: uuid.UUID
    lines: Sequence[LineRecord]
    payments: Sequence[PaymentRecord]
