"""Every query for receipts, their lines and payments."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
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


def _values(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in type(row).__table__.columns}


async def insert_unless_taken(session: AsyncSession, receipt: Receipt) -> bool:
    """Insert the receipt row unless its uniqueReceiptId is stored; True when this call stored it.

    A concurrent insert of the same uniqueReceiptId waits for the first to commit, then finds
    it taken: one statement, no savepoint.
    """
    stmt = (
        insert_for(session, Receipt)
        .on_conflict_do_nothing(index_elements=["unique_receipt_id"])
        .returning(Receipt.__table__.c.id)
    )
    return (await session.execute(stmt, _values(receipt))).first() is not None


async def insert_details(
    session: AsyncSession, lines: Sequence[ReceiptLine], payments: Sequence[ReceiptPayment]
) -> None:
    """The receipt's lines and payments, each table in one executemany through Core.

    The rows are not added to the session: they are written once and only read back by
    later requests, so the unit of work has nothing to track.
    """
    for model, rows in ((ReceiptLine, lines), (ReceiptPayment, payments)):
        if rows:
            await session.execute(insert(cast(Table, model.__table__)), [_values(row) for row in rows])


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
