"""Every query for receipts, their lines and payments."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.arrays import element_types, unnest
from patron.db.session import fetch_first_idempotent
from patron.db.types import money_sum
from patron.db.upsert import insert_for
from patron.models import Contact, Receipt, ReceiptLine, ReceiptPayment, Store
from patron.models.contact import LIVE_SQL
from patron.models.outbox_event import OutboxEvent
from patron.outbox.events import NewEvent, event_id
from patron.receipts.records import LineRecord, PaymentRecord, ReceiptRecord, StoredReceipt

_RECEIPTS: Table = Receipt.__table__  # type: ignore[assignment]
_LINES: Table = ReceiptLine.__table__  # type: ignore[assignment]
_PAYMENTS: Table = ReceiptPayment.__table__  # type: ignore[assignment]

_RECEIPT_COLUMNS = tuple(field.name for field in fields(ReceiptRecord))
_LINE_COLUMNS = tuple(field.name for field in fields(LineRecord))
_PAYMENT_COLUMNS = tuple(field.name for field in fields(PaymentRecord))
# A record's values in column order (dataclasses.astuple would copy every nested value too).
_receipt_values = attrgetter(*_RECEIPT_COLUMNS)
_line_values = attrgetter(*_LINE_COLUMNS)
_payment_values = attrgetter(*_PAYMENT_COLUMNS)
# Besides these, receipts hold contact_id, and lines and payments receipt_id and contact_id.
assert set(_RECEIPTS.c.keys()) == {*_RECEIPT_COLUMNS, "contact_id"}
assert set(_LINES.c.keys()) == {*_LINE_COLUMNS, "receipt_id", "contact_id"}
assert set(_PAYMENTS.c.keys()) == {*_PAYMENT_COLUMNS, "receipt_id", "contact_id"}

# The column a contact is matched on (`id`, or one of its unique keys) and the value sought.
ContactKey = tuple[str, Any]


@dataclass(frozen=True)
class StoreOutcome:
    """What storing a receipt found: the contact and the store's type (None when there is no
    such contact or store, and then nothing is stored), and whether this call stored it (False
    when its uniqueReceiptId was taken)."""

    contact_id: uuid.UUID | None
    store_type: str | None
    stored: bool


@dataclass(frozen=True)
class History:
    receipt_count: int
    total_gross_price: Decimal
    first_on: datetime | None
    last_on: datetime | None


# Reading back: the receipt's own columns, then its contact.
_READ = select(*(_RECEIPTS.c[name] for name in _RECEIPT_COLUMNS), _RECEIPTS.c.contact_id)


def _details_of(table: Table, columns: Sequence[str], ids: list[uuid.UUID]) -> Any:
    return (
        select(table.c.receipt_id, *(table.c[name] for name in columns))
        .where(table.c.receipt_id.in_(ids))
        .order_by(table.c.position)
    )


async def _with_details(session: AsyncSession, rows: Sequence[Any]) -> list[StoredReceipt]:
    """The receipts of `rows` (from `_READ`) with their lines and payments, in two queries
    whatever their number."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    lines: dict[uuid.UUID, list[LineRecord]] = defaultdict(list)
    payments: dict[uuid.UUID, list[PaymentRecord]] = defaultdict(list)
    for receipt_id, *line in await session.execute(_details_of(_LINES, _LINE_COLUMNS, ids)):
        lines[receipt_id].append(LineRecord(*line))
    for receipt_id, *payment in await session.execute(_details_of(_PAYMENTS, _PAYMENT_COLUMNS, ids)):
        payments[receipt_id].append(PaymentRecord(*payment))
    return [
        StoredReceipt(ReceiptRecord(*row[:-1]), row.contact_id, lines[row.id], payments[row.id])
        for row in rows
    ]


async def get(session: AsyncSession, receipt_id: uuid.UUID) -> StoredReceipt | None:
    found = await _with_details(
        session, (await session.execute(_READ.where(_RECEIPTS.c.id == receipt_id))).all()
    )
    return found[0] if found else None


async def by_unique_id(session: AsyncSession, unique_receipt_id: str) -> StoredReceipt | None:
    stmt = _READ.where(_RECEIPTS.c.unique_receipt_id == unique_receipt_id)
    found = await _with_details(session, (await session.execute(stmt)).all())
    return found[0] if found else None


async def page_of_contact(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> list[StoredReceipt]:
    stmt = (
        _READ.where(_RECEIPTS.c.contact_id == contact_id)
        .order_by(_RECEIPTS.c.created_date.desc(), _RECEIPTS.c.id.desc())
        .offset(offset)
        .limit(count)
    )
    return await _with_details(session, (await session.execute(stmt)).all())


async def history_of_contact(session: AsyncSession, contact_id: uuid.UUID) -> History:
    stmt = select(
        func.count(Receipt.id),
        money_sum(Receipt.total_gross_price),
        func.min(Receipt.created_date),
        func.max(Receipt.created_date),
    ).where(Receipt.contact_id == contact_id)
    count, total, first_on, last_on = (await session.execute(stmt)).one()
    return History(int(count), total or Decimal(0), first_on, last_on)


# --- Storing a receipt ---------------------------------------------------------------------

# The lines' and payments' columns are sent one array each (JSON as text).
_ARRAY_TYPES = MappingProxyType(
    {_LINES.name: element_types(_LINES), _PAYMENTS.name: element_types(_PAYMENTS)}
)
_JSON_COLUMNS = frozenset({"discounts", "extra_data", "used_promotions"})


class _Parameters:
    """Numbers the statement's parameters ($1, $2, ...) by name, in order of first use."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __call__(self, name: str) -> str:
        if name not in self.names:
            self.names.append(name)
        return f"${self.names.index(name) + 1}"


def _value_sql(value: str, column: str) -> str:
    return f"CAST({value} AS jsonb)" if column in _JSON_COLUMNS else value


def _insert_from_arrays(table: str, name: str, columns: Sequence[str], parameter: _Parameters) -> str:
    """Insert one row per array position, each tied to the receipt the statement inserted."""
    values = ", ".join(_value_sql(f"{name}.{column}", column) for column in columns)
    rows = unnest(
        _ARRAY_TYPES[table], columns, lambda column: parameter(f"{name}_{column}"), alias=name, numbered=False
    )
    return (
        f"INSERT INTO {table} (receipt_id, contact_id, {', '.join(columns)}) "
        f"SELECT receipt.id, receipt.contact_id, {values} FROM receipt, {rows}"
    )


def _store_statement(contact_column: str) -> tuple[str, tuple[str, ...]]:
    """PostgreSQL stores a receipt in one statement: it finds the contact and the store, and
    inserts the receipt only when both are there and its uniqueReceiptId is free, and its lines
    and payments only when the receipt row went in. The lines' foreign keys are checked at the
    end of the statement, when the receipt is there. Reading the contacts and stores tables
    here, rather than through their services, saves two round trips on the hottest write.

    Returns the SQL in the driver's own parameter style, sent as it is (nothing to compile),
    and the names of its parameters in order."""
    parameter = _Parameters()
    match = f"CAST({parameter('match')} AS uuid)" if contact_column == "id" else parameter("match")
    store = parameter("store_external_id")
    receipt_values = ", ".join(_value_sql(parameter(column), column) for column in _RECEIPT_COLUMNS)
    sql = (
        f"WITH contact AS (SELECT id FROM contacts WHERE {contact_column} = {match} AND {LIVE_SQL}), "
        f"store AS (SELECT type FROM stores WHERE external_id = {store}), "
        f"receipt AS (INSERT INTO receipts (contact_id, {', '.join(_RECEIPT_COLUMNS)}) "
        f"SELECT contact.id, {receipt_values} FROM contact, store "
        "ON CONFLICT (unique_receipt_id) DO NOTHING RETURNING id, contact_id), "
        f"lines AS ({_insert_from_arrays('receipt_lines', 'line', _LINE_COLUMNS, parameter)}), "
        f"payments AS ({_insert_from_arrays('receipt_payments', 'payment', _PAYMENT_COLUMNS, parameter)}), "
        # The receipt.created event, with the contact the statement found.
        "event AS (INSERT INTO outbox_events (id, type, occurred_at, contact_id, data) "
        f"SELECT {parameter('event_id')}, {parameter('event_type')}, {parameter('recorded_on')}, "
        f"receipt.contact_id, jsonb_set(CAST({parameter('event_data')} AS jsonb), '{{contactId}}', "
        "to_jsonb(receipt.contact_id)) FROM receipt) "
        "SELECT (SELECT id FROM contact) AS contact_id, (SELECT type FROM store) AS store_type, "
        "EXISTS (SELECT FROM receipt) AS stored"
    )
    return sql, tuple(parameter.names)


# Built once per way of matching a contact: building a statement costs more than running it.
_STORE = MappingProxyType(
    {column: _store_statement(column) for column in ("id", *(c.key for c in Contact.__table__.c if c.unique))}
)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _sent(column: str, value: Any) -> Any:
    return _json_text(value) if column in _JSON_COLUMNS else value


def _store_parameters(
    receipt: ReceiptRecord,
    lines: Sequence[LineRecord],
    payments: Sequence[PaymentRecord],
    match: Any,
    event: NewEvent,
) -> dict[str, Any]:
    parameters = {
        column: _sent(column, value)
        for column, value in zip(_RECEIPT_COLUMNS, _receipt_values(receipt), strict=True)
    }
    parameters["match"] = match
    parameters["event_id"] = event_id()
    parameters["event_type"] = event.type.value
    parameters["event_data"] = _json_text(event.data)
    for name, columns, rows, values_of in (
        ("line", _LINE_COLUMNS, lines, _line_values),
        ("payment", _PAYMENT_COLUMNS, payments, _payment_values),
    ):
        values = [values_of(row) for row in rows]
        for index, column in enumerate(columns):
            parameters[f"{name}_{column}"] = [_sent(column, row[index]) for row in values]
    return parameters


async def store(
    session: AsyncSession,
    receipt: ReceiptRecord,
    lines: Sequence[LineRecord],
    payments: Sequence[PaymentRecord],
    contact: ContactKey,
    event: NewEvent,
    *,
    whole_write: bool,
) -> StoreOutcome:
    """Store the receipt for the live contact `contact` names, at its store, unless there is no
    such contact or store or its uniqueReceiptId is taken; and with it `event` (its data's
    `contactId` and its contact set to the contact found), in the same statement on PostgreSQL.

    A concurrent insert of the same uniqueReceiptId waits for the first to commit, then finds it
    taken: no savepoint. `whole_write`: this is all the caller writes, so on PostgreSQL the one
    statement may commit by itself.
    """
    column, match = contact
    if session.get_bind().dialect.name == "postgresql":
        sql, names = _STORE[column]
        parameters = _store_parameters(receipt, lines, payments, match, event)
        arguments = [parameters[name] for name in names]
        # Idempotent, so it may run twice: the receipt goes in only while its uniqueReceiptId
        # is free (ON CONFLICT DO NOTHING), its lines and payments only with it. Run again
        # after a first run that went in, it stores nothing and answers "not stored", which
        # `record` reads as a replay of the same body (the fingerprint matches), not a second
        # receipt.
        found = await fetch_first_idempotent(session, sql, arguments, whole_write=whole_write)
        assert found is not None, "the statement always answers one row"
        return StoreOutcome(found["contact_id"], found["store_type"], found["stored"])
    contact_id = (
        await session.execute(
            select(Contact.id).where(getattr(Contact, column) == match, Contact.erased_on.is_(None))
        )
    ).scalar_one_or_none()
    store_type = (
        await session.execute(select(Store.type).where(Store.external_id == receipt.store_external_id))
    ).scalar_one_or_none()
    if contact_id is None or store_type is None:
        return StoreOutcome(contact_id, store_type, False)
    values = dict(zip(_RECEIPT_COLUMNS, _receipt_values(receipt), strict=True))
    stmt = insert_for(session, Receipt).on_conflict_do_nothing(index_elements=["unique_receipt_id"])
    if (
        await session.execute(stmt.returning(_RECEIPTS.c.id), {**values, "contact_id": contact_id})
    ).first() is None:
        return StoreOutcome(contact_id, store_type, False)
    owner = {"receipt_id": receipt.id, "contact_id": contact_id}
    for table, columns, rows, values_of in (
        (_LINES, _LINE_COLUMNS, lines, _line_values),
        (_PAYMENTS, _PAYMENT_COLUMNS, payments, _payment_values),
    ):
        if rows:
            await session.execute(
                insert(table), [{**owner, **dict(zip(columns, values_of(row), strict=True))} for row in rows]
            )
    told = {
        "id": event_id(),
        "type": event.type.value,
        "occurred_at": receipt.recorded_on,
        "contact_id": contact_id,
        "data": {**event.data, "contactId": str(contact_id)},
    }
    await session.execute(insert(OutboxEvent), told)
    return StoreOutcome(contact_id, store_type, True)
