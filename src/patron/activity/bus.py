"""Who hears about stored activity, and in which transaction.

A service that stores activity (a receipt today; events and challenge logs later) calls
`ActivityBus.publish_receipt` after the activity row is flushed, in the same transaction.
Every subscriber runs inside that transaction, so its effects commit with the activity or not
at all, and an activity that is rejected or replayed is never published. Each application has
its own bus, built with its subscribers when the application is assembled
(`patron.state.assemble`), never on import.

A subscriber may say when it listens (`interested`, asked before the activity is stored): a
receipt nobody listens to is stored by one statement that commits by itself, so a deployment
without receipt-driven rules pays nothing for them.
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
    # A return receipt's original, by its uniqueReceiptId (extraData.originalUniqueReceiptId).
    original_unique_receipt_id: str | None = None


ReceiptSubscriber = Callable[[AsyncSession, ReceiptActivity], Awaitable[None]]
# Told the id of a contact being erased, in the erasing transaction: each domain drops or
# redacts what it keeps of that contact's personal data (docs/PRIVACY.md).
ErasureSubscriber = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]
# Whether the subscriber would act on a receipt stored now (it may read through the session).
Interest = Callable[[AsyncSession], Awaitable[bool]]


async def _always(session: AsyncSession) -> bool:
    return True


class ActivityBus:
    """One application's subscribers to stored activity, in the order they were added."""

    def __init__(self) -> None:
        self._receipt_subscribers: dict[ReceiptSubscriber, Interest] = {}
        self._erasure_subscribers: list[ErasureSubscriber] = []

    def subscribe_erasures(self, subscriber: ErasureSubscriber) -> None:
        self._erasure_subscribers.append(subscriber)

    async def publish_erasure(self, session: AsyncSession, contact_id: uuid.UUID) -> None:
        for subscriber in self._erasure_subscribers:
            await subscriber(session, contact_id)

    def subscribe_receipts(self, subscriber: ReceiptSubscriber, interested: Interest = _always) -> None:
        self._receipt_subscribers.setdefault(subscriber, interested)

    async def receipt_listeners(self, session: AsyncSession) -> tuple[ReceiptSubscriber, ...]:
        """The subscribers that would act on a receipt stored now."""
        return tuple(
            [
                subscriber
                for subscriber, interested in list(self._receipt_subscribers.items())
                if await interested(session)
            ]
        )

    async def publish_receipt(
        self,
        session: AsyncSession,
        activity: ReceiptActivity,
        listeners: tuple[ReceiptSubscriber, ...] | None = None,
    ) -> None:
        """Tell `listeners` (as `receipt_listeners` found them; by default every subscriber)."""
        for subscriber in listeners if listeners is not None else tuple(self._receipt_subscribers):
            await subscriber(session, activity)
