"""Use cases of receipts: record one (exactly once per uniqueReceiptId), read one, read history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ActivityBus, ReceiptActivity, ReceiptLineActivity
from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.kit import clock, ids
from patron.kit.timefmt import local_iso
from patron.outbox.events import EVENT_ROOT, EVENT_ZONE, EventType, NewEvent, rendered
from patron.promotions import service as promotions
from patron.receipts import repository
from patron.receipts.errors import ReceiptAlreadyExists, ReceiptNotFound
from patron.receipts.fingerprint import fingerprint
from patron.receipts.records import LineRecord, PaymentRecord, ReceiptRecord, StoredReceipt
from patron.receipts.repository import ContactKey, StoreOutcome
from patron.receipts.schemas import (
    ContactMatch,
    Discount,
    Link,
    PaymentMethod,
    PurchaseSummary,
    ReceiptIn,
    ReceiptLineOut,
    ReceiptOut,
    UsedPromotion,
)
from patron.stores.errors import StoreNotFound

# Where an offer used on a receipt counts as redeemed: at the till or on the web.
_REDEMPTION_CHANNEL = MappingProxyType({"Physical": "POS", "Online": "ECOM"})

# matchKeyType -> the contact's unique key (wire name) it is matched on.
_MATCH_KEYS = MappingProxyType(
    {
        "Email": "email",
        "MobilePhone": "mobilePhone",
        "ExternalId": "externalId",
        "MemberNumber": "memberNumber",
        "CardId": "cardId",
    }
)


# Stands for the receipt's contact in its event until the statement storing it finds it.
_UNKNOWN_CONTACT = uuid.UUID(int=0)
# Where a return receipt names the receipt it returns from (docs/POINTS.md).
ORIGINAL_KEY = "originalUniqueReceiptId"


@dataclass(frozen=True)
class Recorded:
    """A receipt as stored, and whether this request stored it or found it stored already."""

    stored: StoredReceipt
    replayed: bool


def _contact_key(match: ContactMatch, rules: ContactRules) -> ContactKey | None:
    """The column and value the receipt's contact is found by; None when the key cannot be
    that kind of key, so no contact has it."""
    if match.matchKeyType == "ContactId":
        contact_id = ids.parse_guid(match.matchKey)
        if contact_id is None:
            raise BadRequest(
                "contact.matchKey: a ContactId is a GUID.",
                details=[{"field": "contact.matchKey", "message": "not a GUID"}],
            )
        return ("id", contact_id)
    return contacts.stored_key(_MATCH_KEYS[match.matchKeyType], match.matchKey, rules)


def _records(
    body: ReceiptIn, print_: str, created_date: datetime
) -> tuple[ReceiptRecord, list[LineRecord], list[PaymentRecord]]:
    rate = body.exchangeRateToGroupCurrency
    receipt = ReceiptRecord(
        id=ids.new_id(),
        unique_receipt_id=body.uniqueReceiptId,
        fingerprint=print_,
        store_external_id=body.storeExternalId,
        receipt_number=body.receiptNumber,
        created_date=created_date,
        currency=body.currency,
        total_gross_price=body.totalGrossPrice,
        exchange_rate_to_group_currency=None if rate is None else format(rate, "f"),
        used_promotions=[str(used.promotionId) for used in body.usedPromotions],
        extra_data=body.extraData,
        recorded_on=clock.now(),
    )
    lines = [
        LineRecord(
            id=ids.new_id(),
            position=position,
            type=item.type,
            sku=item.sku,
            article_number=item.articleNumber,
            article_name=item.articleName,
            article_group=item.articleGroup,
            quantity=item.quantity,
            gross_paid_price=item.grossPaidPrice,
            tax_amount=item.taxAmount,
            tax_percent=item.taxPercent,
            discounts=[discount.model_dump(mode="json", exclude_none=True) for discount in item.discounts],
            extra_data=item.extraData,
        )
        for position, item in enumerate(body.items)
    ]
    payments = [
        PaymentRecord(
            id=ids.new_id(),
            position=position,
            type=payment.type,
            value=payment.value,
            description=payment.description,
        )
        for position, payment in enumerate(body.paymentMethods)
    ]
    return receipt, lines, payments


async def _not_stored(
    session: AsyncSession, body: ReceiptIn, print_: str, outcome: StoreOutcome | None
) -> Recorded:
    """A receipt that was not stored: its uniqueReceiptId is taken (by this receipt, a replay,
    or by another one), or there is no such contact or store. A replay whose contact or store
    has gone since is still answered with what was stored."""
    existing = await repository.by_unique_id(session, body.uniqueReceiptId)
    if existing is not None:
        if existing.receipt.fingerprint != print_:
            raise ReceiptAlreadyExists(
                details={
                    "uniqueReceiptId": existing.receipt.unique_receipt_id,
                    "receiptId": str(existing.receipt.id),
                }
            )
        return Recorded(existing, replayed=True)
    if outcome is None or outcome.contact_id is None:
        raise ContactNotFound(f"No contact with {body.contact.matchKeyType} {body.contact.matchKey!r}.")
    assert outcome.store_type is None, "a receipt with its contact and store is stored or its id is taken"
    raise StoreNotFound(f"No store with externalId {body.storeExternalId!r}.")


def _original(extra_data: Mapping[str, object] | None) -> str | None:
    named = (extra_data or {}).get(ORIGINAL_KEY)
    return named if isinstance(named, str) and named else None


def _activity(stored: StoredReceipt) -> ReceiptActivity:
    """The receipt as the till described it; subscribers that filter on article groups or
    brands consult the article register themselves, so a receipt no one filters costs no read."""
    receipt = stored.receipt
    return ReceiptActivity(
        receipt_id=receipt.id,
        contact_id=stored.contact_id,
        store_external_id=receipt.store_external_id,
        occurred_at=receipt.created_date,
        total=receipt.total_gross_price,
        original_unique_receipt_id=_original(receipt.extra_data),
        lines=tuple(
            ReceiptLineActivity(
                type=line.type,
                article_number=line.article_number,
                sku=line.sku,
                article_group=line.article_group,
                brand=None,
                quantity=line.quantity,
                total=line.gross_paid_price,
            )
            for line in stored.lines
        ),
    )


async def record(
    session: AsyncSession, body: ReceiptIn, rules: ContactRules, zone: ZoneInfo, bus: ActivityBus
) -> Recorded:
    """Store a receipt once per uniqueReceiptId and publish it as activity in the same transaction.

    The same body again is a replay (nothing stored, nothing published); a different body under
    the same uniqueReceiptId is refused. Concurrent posts race on the unique constraint. The
    insert itself finds the contact and the store and settles uniqueness, in one round trip on
    PostgreSQL; when no offer is redeemed and no subscriber listens, it is the whole write.
    """
    created_date = body.createdDate if body.createdDate.tzinfo else body.createdDate.replace(tzinfo=zone)
    sent = body.model_dump()
    sent["createdDate"] = created_date
    print_ = fingerprint(sent)
    contact = _contact_key(body.contact, rules)
    if contact is None:
        return await _not_stored(session, body, print_, None)
    listeners = await bus.receipt_listeners(session)
    receipt, lines, payments = _records(body, print_, created_date)
    # Its contact is found by the statement that stores it, which fills in `contactId`.
    told = receipt_out(StoredReceipt(receipt, _UNKNOWN_CONTACT, lines, payments), EVENT_ZONE, EVENT_ROOT)
    created = NewEvent(EventType.RECEIPT_CREATED, rendered(told))
    outcome = await repository.store(
        session,
        receipt,
        lines,
        payments,
        contact,
        created,
        whole_write=not (body.usedPromotions or listeners),
    )
    if not outcome.stored:
        return await _not_stored(session, body, print_, outcome)
    assert outcome.contact_id is not None and outcome.store_type is not None
    stored = StoredReceipt(receipt, outcome.contact_id, lines, payments)
    if body.usedPromotions:
        await promotions.redeem_for_receipt(
            session,
            contact_id=outcome.contact_id,
            receipt_id=receipt.id,
            assignment_ids=[used.promotionId for used in body.usedPromotions],
            channel=_REDEMPTION_CHANNEL[outcome.store_type],
        )
    await bus.publish_receipt(session, _activity(stored), listeners)
    return Recorded(stored, replayed=False)


async def get(session: AsyncSession, receipt_id: uuid.UUID) -> StoredReceipt:
    stored = await repository.get(session, receipt_id)
    if stored is None:
        raise ReceiptNotFound(f"No receipt {receipt_id}.")
    return stored


async def history(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> tuple[list[StoredReceipt], int, repository.History]:
    """A page of the contact's receipts, newest first, with the summary of all of them."""
    await contacts.ensure_exists(session, contact_id)
    summary = await repository.history_of_contact(session, contact_id)
    page = await repository.page_of_contact(session, contact_id, offset, count)
    return page, summary.receipt_count, summary


async def find_by_unique_id(session: AsyncSession, unique_receipt_id: str) -> StoredReceipt | None:
    """The receipt stored under a till's uniqueReceiptId (a return names its original so)."""
    return await repository.by_unique_id(session, unique_receipt_id)


def summary_out(summary: repository.History, zone: ZoneInfo) -> PurchaseSummary:
    return PurchaseSummary(
        receiptCount=summary.receipt_count,
        totalGrossPrice=summary.total_gross_price,
        firstPurchaseOn=local_iso(summary.first_on, zone),
        lastPurchaseOn=local_iso(summary.last_on, zone),
    )


def receipt_out(stored: StoredReceipt, zone: ZoneInfo, api_root: str) -> ReceiptOut:
    receipt = stored.receipt
    rate = receipt.exchange_rate_to_group_currency
    return ReceiptOut(
        id=receipt.id,
        uniqueReceiptId=receipt.unique_receipt_id,
        receiptNumber=receipt.receipt_number,
        createdDate=local_iso(receipt.created_date, zone) or "",
        storeExternalId=receipt.store_external_id,
        contactId=stored.contact_id,
        currency=receipt.currency,
        totalGrossPrice=receipt.total_gross_price,
        exchangeRateToGroupCurrency=None if rate is None else Decimal(rate),
        paymentMethods=[
            PaymentMethod(type=payment.type, value=payment.value, description=payment.description)
            for payment in stored.payments
        ],
        items=[
            ReceiptLineOut(
                type=line.type,
                sku=line.sku,
                articleNumber=line.article_number,
                articleName=line.article_name,
                articleGroup=line.article_group,
                quantity=line.quantity,
                grossPaidPrice=line.gross_paid_price,
                taxAmount=line.tax_amount,
                taxPercent=line.tax_percent,
                discounts=[Discount.model_validate(discount) for discount in line.discounts],
                extraData=line.extra_data,
            )
            for line in stored.lines
        ],
        usedPromotions=[UsedPromotion(promotionId=uuid.UUID(used)) for used in receipt.used_promotions],
        extraData=receipt.extra_data,
        links=[Link(href=f"{api_root}/receipts/{receipt.id}", method="GET", rel="self")],
    )
