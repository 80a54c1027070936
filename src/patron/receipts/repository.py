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


# PostgreSQL stores a receipt, its lines and its payments in one statement: the lines and
# payments are inserted only when the receipt row was (a taken uniqueReceiptId stores nothing),
# and their foreign keys are checked at the end of the statement, when the receipt is there.
_STORE_ALL = text(
    """
WITH receipt AS (
  INSERT INTO receipts (id, unique_receipt_id, fingerprint, contact_id, store_external_id,
    receipt_number, created_date, currency, total_gross_price, exchange_rate_to_group_currency,
    used_promotions, extra_data, recorded_on)
  VALUES (:id, :unique_receipt_id, :fingerprint, :contact_id, :store_external_id, :receipt_number,
    :created_date, :currency, :total_gross_price, :exchange_rate_to_group_currency,
    CAST(:used_promotions AS jsonb), CAST(:extra_data AS jsonb), :recorded_on)
  ON CONFLICT (unique_receipt_id) DO NOTHING
  RETURNING id
), lines AS (
  INSERT INTO receipt_lines (id, receipt_id, contact_id, position, type, sku, article_number,
    article_name, article_group, quantity, gross_paid_price, tax_amount, tax_percent, discounts,
    extra_data)
  SELECT line.id, receipt.id, :contact_id, line.position, line.type, line.sku, line.article_number,
    line.article_name, line.article_group, line.quantity, line.gross_paid_price, line.tax_amount,
    line.tax_percent, CAST(line.discounts AS jsonb), CAST(line.extra_data AS jsonb)
  FROM receipt, unnest(CAST(:line_ids AS uuid[]), CAST(:line_positions AS int[]),
    CAST(:line_types AS text[]), CAST(:line_skus AS text[]), CAST(:line_article_numbers AS text[]),
    CAST(:line_article_names AS text[]), CAST(:line_article_groups AS text[]),
    CAST(:line_quantities AS numeric[]), CAST(:line_gross_paid_prices AS numeric[]),
    CAST(:line_tax_amounts AS numeric[]), CAST(:line_tax_percents AS numeric[]),
    CAST(:line_discounts AS text[]), CAST(:line_extra_data AS text[]))
    AS line(id, position, type, sku, article_number, article_name, article_group, quantity,
      gross_paid_price, tax_amount, tax_percent, discounts, extra_data)
), payments AS (
  INSERT INTO receipt_payments (id, receipt_id, contact_id, position, type, value, description)
  SELECT payment.id, receipt.id, :contact_id, payment.position, payment.type, payment.value,
    payment.description
  FROM receipt, unnest(CAST(:payment_ids AS uuid[]), CAST(:payment_positions AS int[]),
    CAST(:payment_types AS text[]), CAST(:payment_values AS numeric[]),
    CAST(:payment_descriptions AS text[]))
    AS payment(id, position, type, value, description)
)
SELECT id FROM receipt
"""
)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _columns(rows: Sequence[Any], prefix: str, names: dict[str, str]) -> dict[str, list[Any]]:
    return {f"{prefix}_{plural}": [getattr(row, name) for row in rows] for name, plural in names.items()}


def _store_all_parameters(
    receipt: Receipt, lines: Sequence[ReceiptLine], payments: Sequence[ReceiptPayment]
) -> dict[str, Any]:
    parameters = _values(receipt)
    parameters["used_promotions"] = _json_text(receipt.used_promotions)
    parameters["extra_data"] = _json_text(receipt.extra_data)
    parameters.update(
        _columns(
            lines,
            "line",
            {
                "id": "ids",
                "position": "positions",
                "type": "types",
                "sku": "skus",
                "article_number": "article_numbers",
                "article_name": "article_names",
                "article_group": "article_groups",
                "quantity": "quantities",
                "gross_paid_price": "gross_paid_prices",
                "tax_amount": "tax_amounts",
                "tax_percent": "tax_percents",
            },
        )
    )
    parameters["line_discounts"] = [_json_text(line.discounts) for line in lines]
    parameters["line_extra_data"] = [_json_text(line.extra_data) for line in lines]
    parameters.update(
        _columns(
            payments,
            "payment",
            {
                "id": "ids",
                "position": "positions",
                "type": "types",
                "value": "values",
                "description": "descriptions",
            },
        )
    )
    return parameters


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
