"""Every query for orders, carts and product views."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import Cart, Order, OrderNumber, ProductView


async def claim_order_number(
    session: AsyncSession, order_number: str, contact_id: uuid.UUID, order_id: uuid.UUID
) -> OrderNumber:
    """The order number's row: this one when the number is new, else the one that holds it
    (a concurrent first post of the same number finds the winner's)."""
    row = {"order_number": order_number, "contact_id": contact_id, "order_id": order_id}
    await session.execute(insert_for(session, OrderNumber).values(row).on_conflict_do_nothing())
    stmt = select(OrderNumber).where(OrderNumber.order_number == order_number).with_for_update()
    return (await session.execute(stmt)).scalar_one()


async def order(session: AsyncSession, contact_id: uuid.UUID, order_id: uuid.UUID) -> Order | None:
    return await session.get(Order, (contact_id, order_id))


async def orders_page(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> tuple[Sequence[Order], int]:
    where = Order.contact_id == contact_id
    total = (await session.execute(select(func.count()).select_from(Order).where(where))).scalar_one()
    stmt = (
        select(Order).where(where).order_by(Order.created_date.desc(), Order.id).offset(offset).limit(count)
    )
    return (await session.execute(stmt)).scalars().all(), int(total)


async def upsert_cart(session: AsyncSession, row: dict[str, Any]) -> None:
    """Store the contact's cart by its reference; posted again, its items and time are
    replaced and it is undecided again."""
    changed = {k: row[k] for k in ("cart_time", "language", "url", "items", "updated_on")}
    stmt = insert_for(session, Cart).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["contact_id", "cart_reference"],
        set_={**changed, "decided_on": None, "abandoned": None},
    )
    await session.execute(stmt)


async def add_product_views(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert_for(session, ProductView).values(rows))


async def undecided_carts(session: AsyncSession, seen_before: datetime, limit: int) -> Sequence[Cart]:
    """Carts last stored before `seen_before` and not yet judged, oldest first, locked so that
    two workers never judge one twice."""
    stmt = (
        select(Cart)
        .where(Cart.decided_on.is_(None), Cart.updated_on < seen_before)
        .order_by(Cart.updated_on)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()


async def ordered_since(session: AsyncSession, contact_id: uuid.UUID, since: datetime) -> bool:
    stmt = select(exists().where(Order.contact_id == contact_id, Order.received_on >= since))
    return bool((await session.execute(stmt)).scalar())


async def decide_cart(
    session: AsyncSession, contact_id: uuid.UUID, cart_id: uuid.UUID, at: datetime, abandoned: bool
) -> None:
    await session.execute(
        update(Cart)
        .where(Cart.contact_id == contact_id, Cart.id == cart_id)
        .values(decided_on=at, abandoned=abandoned)
    )


async def forget_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    for model in (ProductView, Cart, Order):
        await session.execute(delete(model).where(model.contact_id == contact_id))
    await session.execute(delete(OrderNumber).where(OrderNumber.contact_id == contact_id))
