"""Every query for receipts, their lines and payments."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.upsert import insert_for
from patron.models import Receipt, ReceiptLine, ReceiptPayment


@dataclass(frozen=True)
class StoredReceipt:
    receipt: Receipt
    lines: Sequence[ReceiptLine]
    payments: Sequence[ReceiptPayment]


@dataclass(frozen=True)
class History:
    receipt_count: int
    total_gross_price: Decimal
    first_on: datetime | None
    last_on: datetime | None


async def by_unique_id(session: AsyncSession, unique_receipt_id: str) -> Receipt | None:
    stmt = select(Receipt).where(Receipt.unique_receipt_id == unique_receipt_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, receipt_id: uuid.UUID) -> Receipt | None:
    return await session.get(Receipt, receipt_id)


async def insert_unless_taken(session: AsyncSession, receipt: Receipt) -> bool:
    """Insert the receipt row unless its uniqueReceiptId is stored; True when this call stored it.

    A concurrent insert of the same uniqueReceiptId waits for the first to commit, then finds
    it taken: one statement, no savepoint.
    """
    values = {column.key: getattr(receipt, column.key) for column in Receipt.__table__.columns}
    stmt = (
        insert_for(session, Receipt)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["unique_receipt_id"])
        .returning(Receipt.id)
    )
    return (await session.execute(stmt)).first() is not None


def add_details(session: AsyncSession, lines: list[ReceiptLine], payments: list[ReceiptPayment]) -> None:
    session.add_all(lines)
    session.add_all(payments)


async def with_details(session: AsyncSession, receipts: Sequence[Receipt]) -> list[StoredReceipt]:
    """The receipts with their lines and payments, loaded in two queries whatever the page size."""
    ids = [receipt.id for receipt in receipts]
    if not ids:
        return []
    lines: dict[uuid.UUID, list[ReceiptLine]] = defaultdict(list)
    payments: dict[uuid.UUID, list[ReceiptPayment]] = defaultdict(list)
    line_rows = await session.execute(
        select(ReceiptLine).where(ReceiptLine.receipt_id.in_(ids)).order_by(ReceiptLine.position)
    )
    for line in line_rows.scalars():
        lines[line.receipt_id].append(line)
    payment_rows = await session.execute(
        select(ReceiptPayment).where(ReceiptPayment.receipt_id.in_(ids)).order_by(ReceiptPayment.position)
    )
    for payment in payment_rows.scalars():
        payments[payment.receipt_id].append(payment)
    return [StoredReceipt(receipt, lines[receipt.id], payments[receipt.id]) for receipt in receipts]


async def page_of_contact(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> Sequence[Receipt]:
    stmt = (
        select(Receipt)
        .where(Receipt.contact_id == contact_id)
        .order_by(Receipt.created_date.desc(), Receipt.id.desc())
        .offset(offset)
        .limit(count)
    )
    return (await session.execute(stmt)).scalars().all()


async def history_of_contact(session: AsyncSession, contact_id: uuid.UUID) -> History:
    stmt = select(
        func.count(Receipt.id),
        func.coalesce(func.sum(Receipt.total_gross_price), 0),
        func.min(Receipt.created_date),
        func.max(Receipt.created_date),
    ).where(Receipt.contact_id == contact_id)
    count, total, first_on, last_on = (await session.execute(stmt)).one()
    return History(int(count), Decimal(total), first_on, last_on)
