"""Orders, carts and product views from a shop: stored as the contact's activity.

An order is found by its orderNumber (unique across contacts): posted again it replaces what
was stored and is told as order.updated, posted first as order.created. A cart no order from
its contact follows within the configured minutes is told as cart.abandoned, once
(`judge_carts`, run by the worker).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.contacts import service as contacts
from patron.contacts.errors import ContactNotFound
from patron.contacts.schemas import LookupKeys
from patron.contacts.service import ContactRules
from patron.errors import BadRequest
from patron.kit import clock
from patron.kit.timefmt import local_iso
from patron.models import Cart, Order
from patron.orders import repository
from patron.orders.schemas import CartIn, MatchKeyType, OrderIn, OrderOut, ProductViewIn
from patron.outbox import service as outbox
from patron.outbox.events import EVENT_ZONE, EventType, NewEvent, rendered

# matchKeyType -> the lookup key (wire name) the contact is found by.
_LOOKUP_KEYS = MappingProxyType(
    {
        MatchKeyType.EMAIL: "email",
        MatchKeyType.MOBILE_PHONE: "mobilePhone",
        MatchKeyType.CARD_ID: "cardId",
        MatchKeyType.EXTERNAL_ID: "externalId",
        MatchKeyType.MEMBER_NUMBER: "memberNumber",
    }
)


async def _contact_of(session: AsyncSession, body: OrderIn, rules: ContactRules) -> uuid.UUID:
    match = body.contact
    if match.matchKeyType is MatchKeyType.CONTACT_ID:
        try:
            contact_id = uuid.UUID(match.matchKey)
        except ValueError as error:
            raise BadRequest(
                "contact.matchKey: a ContactId is a GUID.",
                details=[{"field": "contact.matchKey", "message": "not a GUID"}],
            ) from error
        await contacts.ensure_exists(session, contact_id)
        return contact_id
    if match.matchKeyType is MatchKeyType.MEMBER_NUMBER_WITH_CARD_NUMBER_AS_FALLBACK:
        try:
            return await contacts.lookup_id(session, LookupKeys(memberNumber=match.matchKey), rules)
        except ContactNotFound:
            return await contacts.lookup_id(session, LookupKeys(cardId=match.matchKey), rules)
    key = _LOOKUP_KEYS[match.matchKeyType]
    return await contacts.lookup_id(session, LookupKeys.model_validate({key: match.matchKey}), rules)


def order_out(found: Order, zone: ZoneInfo) -> OrderOut:
    return OrderOut(
        id=found.id,
        contactId=found.contact_id,
        orderNumber=found.order_number,
        order=found.document,
        receivedOn=local_iso(found.received_on, zone) or "",
        modifiedOn=local_iso(found.modified_on, zone) or "",
    )


@dataclass(frozen=True)
class Stored:
    order: Order
    created: bool


async def record(session: AsyncSession, body: OrderIn, rules: ContactRules) -> Stored:
    """Store the order, or replace the one with its orderNumber."""
    contact_id = await _contact_of(session, body, rules)
    now = clock.now()
    holder = await repository.claim_order_number(session, body.orderNumber, contact_id, uuid.uuid4())
    existing = await repository.order(session, holder.contact_id, holder.order_id)
    if existing is not None and holder.contact_id != contact_id:
        raise BadRequest(
            f"Order {body.orderNumber!r} belongs to another contact.",
            details=[{"field": "orderNumber", "message": "belongs to another contact"}],
        )
    order = existing or Order(contact_id=contact_id, id=holder.order_id, received_on=now)
    order.order_number = body.orderNumber
    order.order_status = body.orderStatus
    order.payment_status = body.paymentStatus
    order.created_date = body.createdDate
    order.store_id = body.storeId
    order.currency = body.currency
    order.total_gross_price = body.totalGrossPrice
    order.document = body.model_dump(mode="json", exclude_none=True)
    order.modified_on = now
    if existing is None:
        session.add(order)
    await session.flush()
    kind = EventType.ORDER_CREATED if existing is None else EventType.ORDER_UPDATED
    await outbox.record(session, [NewEvent(kind, rendered(order_out(order, EVENT_ZONE)), contact_id, now)])
    return Stored(order, created=existing is None)


async def orders_of(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int, zone: ZoneInfo
) -> tuple[list[OrderOut], int]:
    await contacts.ensure_exists(session, contact_id)
    found, total = await repository.orders_page(session, contact_id, offset, count)
    return [order_out(o, zone) for o in found], total


async def track_carts(session: AsyncSession, carts: list[CartIn]) -> None:
    """Store each contact's cart by its reference (the last post of a reference wins)."""
    known = await contacts.existing_ids(session, {cart.contactId for cart in carts})
    missing = sorted({str(cart.contactId) for cart in carts if cart.contactId not in known})
    if missing:
        raise ContactNotFound(f"No contact {', '.join(missing)}.", details={"missingContactIds": missing})
    now = clock.now()
    for cart in carts:
        await repository.upsert_cart(
            session,
            {
                "contact_id": cart.contactId,
                "id": uuid.uuid4(),
                "cart_reference": cart.cartReference,
                "cart_time": cart.time or now,
                "language": cart.language,
                "url": cart.url,
                "items": [item.model_dump(mode="json") for item in cart.items],
                "updated_on": now,
                "decided_on": None,
                "abandoned": None,
            },
        )


async def track_product_views(session: AsyncSession, views: list[ProductViewIn]) -> None:
    known = await contacts.existing_ids(session, {view.contactId for view in views})
    missing = sorted({str(view.contactId) for view in views if view.contactId not in known})
    if missing:
        raise ContactNotFound(f"No contact {', '.join(missing)}.", details={"missingContactIds": missing})
    now = clock.now()
    await repository.add_product_views(
        session,
        [
            {
                "contact_id": view.contactId,
                "id": uuid.uuid4(),
                "item_id": view.itemId,
                "category": view.category,
                "viewed_at": view.time or now,
                "session_id": view.sessionId,
                "new_session": view.newSession,
                "language": view.language,
                "url": view.url,
                "external_referrer": view.externalReferrer,
                "utm": [utm.model_dump(mode="json") for utm in view.utm],
                "received_on": now,
            }
            for view in views
        ],
    )


def _abandoned(cart: Cart) -> dict[str, object]:
    return {
        "contactId": str(cart.contact_id),
        "cartReference": cart.cart_reference,
        "time": local_iso(cart.cart_time, EVENT_ZONE),
        "language": cart.language,
        "url": cart.url,
        "items": cart.items,
        "lastSeenOn": local_iso(cart.updated_on, EVENT_ZONE),
    }


async def judge_carts(session: AsyncSession, wait: timedelta, limit: int = 500) -> tuple[int, int]:
    """Decide up to `limit` carts last stored more than `wait` ago: followed by an order from
    its contact (since the cart was stored), or abandoned, told as cart.abandoned. How many
    were judged, and how many of them abandoned."""
    now = clock.now()
    abandoned: list[NewEvent] = []
    due = await repository.undecided_carts(session, now - wait, limit)
    for cart in due:
        ordered = await repository.ordered_since(session, cart.contact_id, cart.updated_on)
        await repository.decide_cart(session, cart.contact_id, cart.id, now, abandoned=not ordered)
        if not ordered:
            abandoned.append(NewEvent(EventType.CART_ABANDONED, _abandoned(cart), cart.contact_id, now))
    await outbox.record(session, abandoned)
    return len(due), len(abandoned)


async def forget_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    """Erasure: what a contact bought, viewed and left in a cart is personal data."""
    await repository.forget_contact(session, contact_id)
