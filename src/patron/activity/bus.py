"""Who hears about stored activity, and in which transaction.

A service that stores activity (a receipt today; events and challenge logs later) calls
`publish_receipt` after the activity row is flushed, in the same transaction. Every
subscriber runs inside that transaction, so its effects commit with the activity or not at
all, and an activity that is rejected or replayed is never published. Subscribers are
registered explicitly when the application is assembled (`create_app`), never on import.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ReceiptLineActivity:
    type: str  # PURCHASE, RETURN or ADJUSTMENT
    article_number: str | None
    sku: str | None
    # As the till sent them; a subscriber that filters on groups or brands reads the article
    # register and fills them in (the register knows the article best).
    article_group: str | None
    brand: str | None
    quantity: Decimal
    total: Decimal  # grossPaidPrice of the line (negative for returns)


@dataclass(frozen=True)
class ReceiptActivity:
    receipt_id: uuid.UUID
    contact_id: uuid.UUID
    store_external_id: str
    occurred_at: datetime
    total: Decimal
    lines: tuple[ReceiptLineActivity, ...]


ReceiptSubscriber = Callable[[AsyncSession, ReceiptActivity], Awaitable[None]]

_receipt_subscribers: list[ReceiptSubscriber] = []


def subscribe_receipts(subscriber: ReceiptSubscriber) -> None:
    if subscriber not in _receipt_subscribers:
        _receipt_subscribers.append(subscriber)


def unsubscribe_receipts(subscriber: ReceiptSubscriber) -> None:
    if subscriber in _receipt_subscribers:
        _receipt_subscribers.remove(subscriber)


async def publish_receipt(session: AsyncSession, activity: ReceiptActivity) -> None:
    for subscriber in list(_receipt_subscribers):
        await subscriber(session, activity)
