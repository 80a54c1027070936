"""Plain functions that build receipts, contacts and stores for the receipts tests."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from sqlalchemy import func, select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.models import Receipt, ReceiptLine, ReceiptPayment
from tests import factories as shared

_numbers = itertools.count(1)


async def make_store(client: httpx.AsyncClient, admin: dict[str, str], external_id: str = "S-1") -> str:
    return str((await shared.make_store(client, admin, external_id))["externalId"])


def line(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "PURCHASE",
        "sku": "SKU-1",
        "articleNumber": "A-1",
        "articleName": "Trail shoe",
        "articleGroup": "Shoes",
        "quantity": 1,
        "grossPaidPrice": 100.0,
        "taxAmount": 20.0,
        "taxPercent": 25,
    }
    body.update(overrides)
    return body


def receipt(contact_id: str, store: str = "S-1", **overrides: Any) -> dict[str, Any]:
    number = next(_numbers)
    body: dict[str, Any] = {
        "uniqueReceiptId": f"R-{number}",
        "receiptNumber": f"{number}",
        "createdDate": "2026-11-20T14:05:00+01:00",
        "storeExternalId": store,
        "currency": "SEK",
        "totalGrossPrice": 100.0,
        "contact": {"matchKey": contact_id, "matchKeyType": "ContactId"},
        "paymentMethods": [{"type": "Card", "value": 100.0}],
        "items": [line()],
    }
    body.update(overrides)
    return body


async def stored_counts(database: Database) -> tuple[int, int, int]:
    """How many receipts, lines and payments the database holds."""
    async with transaction(database, write=False) as session:
        counts = []
        for model in (Receipt, ReceiptLine, ReceiptPayment):
            counts.append(int((await session.execute(select(func.count()).select_from(model))).scalar_one()))
    return counts[0], counts[1], counts[2]
