"""Every query for receipts, their lines and payments."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
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


# The arrays a receipt's lines and payments are sent in, one per column, with their types;
# JSON columns travel as text.
_LINE_ARRAYS = {
    "id": "uuid",
    "position": "int",
    "type": "text",
    "sku": "text",
    "article_number": "text",
    "article_name": "text",
    "article_group": "text",
    "quantity": "numeric",
    "gross_paid_price": "numeric",
    "tax_amount": "numeric",
    "tax_percent": "numeric",
    "discounts": "text",
    "extra_data": "text",
}
_PAYMENT_ARRAYS = {"id": "uuid", "position": "int", "type": "text", "value": "numeric", "description": "text"}
_JSON_COLUMNS = {"discounts", "extra_data", "used_promotions"}


def _insert_from_arrays(table: str, name: str, arrays: dict[str, str]) -> str:
    """Insert one row per array position, each tied to the receipt the statement inserted."""
    values = [
        f"CAST({name}.{column} AS jsonb)" if column in _JSON_COLUMNS else f"{name}.{column}"
        for column in arrays
    ]
    unnest = ", ".join(f"CAST(:{name}_{column} AS {kind}[])" for column, kind in arrays.items())
    return (
        f"INSERT INTO {table} (receipt_id, contact_id, {', '.join(arrays)}) "
        f"SELECT receipt.id, :contact_id, {', '.join(values)} "
        f"FROM receipt, unnest({unnest}) AS {name}({', '.join(arrays)})"
    )


# PostgreSQL stores a receipt, its lines and its payments in one statement: the lines and
# payments are inserted only when the receipt row was (a taken uniqueReceiptId stores nothing),
# and their foreign keys are checked at the end of the statement, when the receipt is there.
_RECEIPT_COLUMNS = [column.key for column in Receipt.__table__.columns]
_STORE_ALL = text(
    f"WITH receipt AS (INSERT INTO receipts ({', '.join(_RECEIPT_COLUMNS)}) VALUES ("
    + ", ".join(f"CAST(:{c} AS jsonb)" if c in _JSON_COLUMNS else f":{c}" for c in _RECEIPT_COLUMNS)
    + ") ON CONFLICT (unique_receipt_id) DO NOTHING RETURNING id), "
    f"lines AS ({_insert_from_arrays('receipt_lines', 'line', _LINE_ARRAYS)}), "
    f"payments AS ({_insert_from_arrays('receipt_payments', 'payment', _PAYMENT_ARRAYS)}) "
    "SELECT id FROM receipt"
)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _sent(row: Any, column: str) -> Any:
    value = getattr(row, column)
    return _json_text(value) if column in _JSON_COLUMNS else value


def _store_all_parameters(
    receipt: Receipt, lines: Sequence[ReceiptLine], payments: Sequence[ReceiptPayment]
) -> dict[str, Any]:
    return {
        **{column: _sent(receipt, column) for column in _RECEIPT_COLUMNS},
        **{f"line_{column}": [_sent(line, column) for line in lines] for column in _LINE_ARRAYS},
        **{
            f"payment_{column}": [_sent(payment, column) for payment in payments]
            for column in _PAYMENT_ARRAYS
        },
    }


async def store(
    session: AsyncSession, receipt: Receipt, lines: Sequence[ReceiptLine], payments: Sequence[ReceiptPayment]
) -> bool:
    """Store the receipt with its lines and payments unless its uniqueReceiptId is taken.

    True when this call stored it. A concurrent insert of the same uniqueReceiptId waits for
    the first to commit, then finds it taken: no savepoint. The rows are not added to the
    session: they are written once and only read back by later requests.
    """
    if session.get_bind().dialect.name == "postgresql":
        found = await session.execute(_STORE_ALL, _store_all_parameters(receipt, lines, payments))
        return found.first() is not None
    stmt = insert_for(session, Receipt).on_conflict_do_nothing(index_elements=["unique_receipt_id"])
    if (await session.execute(stmt.returning(Receipt.__table__.c.id), _values(receipt))).first() is None:
        return False
    for model, rows in ((ReceiptLine, lines), (ReceiptPayment, payments)):
        if rows:
            await session.execute(insert(cast(Table, model.__table__)), [_values(row) for row in rows])
    return True


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
