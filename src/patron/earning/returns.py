"""Returns take back what the returned lines earned.

A RETURN line takes back from the lines of its article that earned points: those of the receipt
its own receipt names in `extraData.originalUniqueReceiptId` (the same contact's), else the
contact's most recent ones. Each original line keeps the points of what was not returned
(rounded down), so returning the whole line takes all of its points, and returning it in parts
takes no more than that.

The take-back shares the original credit's validity, so it nets against that credit: points
still pending are cancelled before they become active, points already expired leave nothing to
take. Active points are taken from the balance, which goes below zero only where the point
definition allows it; what it cannot cover is owed and taken from the next credits.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity, ReceiptLineActivity
from patron.earning import repository
from patron.earning.rules import points_left
from patron.earning.schemas import PointsTakenBack, TakenBackLine
from patron.models import PointEarning
from patron.outbox import service as outbox
from patron.outbox.events import EventType, NewEvent, rendered
from patron.points import service as points
from patron.points.service import LedgerEntry
from patron.receipts import service as receipts

# Every ledger row a receipt causes has this source, then the receipt's id.
SOURCE_PREFIX = "receipt:"

_Window = tuple[datetime, datetime | None]


@dataclass
class _Taken:
    """What a return takes back of one definition, per validity window of the original credits."""

    by_window: dict[_Window, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lines: list[TakenBackLine] = field(default_factory=list)


@dataclass(frozen=True)
class _Origin:
    """Whether the return names its original receipt, and that receipt's id when it is the
    contact's own (a named receipt that is not takes nothing back)."""

    named: bool
    receipt_id: uuid.UUID | None = None


async def _origin(session: AsyncSession, receipt: ReceiptActivity) -> _Origin:
    named = receipt.original_unique_receipt_id
    if named is None:
        return _Origin(named=False)
    original = await receipts.find_by_unique_id(session, named)
    if original is None or original.contact_id != receipt.contact_id:
        return _Origin(named=True)
    return _Origin(named=True, receipt_id=original.receipt.id)


def _grouped(earnings: list[PointEarning]) -> list[list[PointEarning]]:
    """The earnings per original line (one row per rule), in the order found."""
    lines: dict[tuple[uuid.UUID, int], list[PointEarning]] = {}
    for earning in earnings:
        lines.setdefault((earning.receipt_id, earning.line_position), []).append(earning)
    return list(lines.values())


async def _take_line(
    session: AsyncSession,
    receipt: ReceiptActivity,
    line: ReceiptLineActivity,
    original: uuid.UUID | None,
    taken: dict[int, _Taken],
) -> None:
    article = line.article_number or ""
    left = abs(line.total)
    if left == 0:
        return
    if original is not None:
        found = await repository.returnable_of_receipt(session, receipt.contact_id, original, article)
    else:
        found = await repository.returnable_of_contact(
            session, receipt.contact_id, article, receipt.receipt_id
        )
    for rows in _grouped(list(found)):
        if left <= 0:
            break
        chunk = min(left, rows[0].line_amount - rows[0].returned_amount)
        left -= chunk
        for row in rows:
            returned = row.returned_amount + chunk
            take = max(
                row.points - row.taken_back - points_left(row.points, row.line_amount, returned), Decimal(0)
            )
            await repository.record_return(session, row, returned, row.taken_back + take)
            if take > 0:
                of_definition = taken.setdefault(row.definition_id, _Taken())
                of_definition.by_window[(row.valid_from, row.valid_to)] += take
                of_definition.lines.append(
                    TakenBackLine(
                        originalReceiptId=row.receipt_id,
                        linePosition=row.line_position,
                        ruleId=row.rule_id,
                        returnedAmount=chunk,
                        points=take,
                    )
                )


async def take_back(session: AsyncSession, receipt: ReceiptActivity, now: datetime) -> None:
    """Take back what the receipt's RETURN lines earned (in the receipt's transaction)."""
    origin = await _origin(session, receipt)
    if origin.named and origin.receipt_id is None:
        return
    taken: dict[int, _Taken] = {}
    for line in receipt.lines:
        if line.type == "RETURN":
            await _take_line(session, receipt, line, origin.receipt_id, taken)
    if not taken:
        return
    contact_id = receipt.contact_id
    accounts = await points.lock_accounts(session, [(contact_id, d) for d in sorted(taken)])
    balances = await points.active_balances(session, list(accounts.values()))
    entries: list[LedgerEntry] = []
    events: list[NewEvent] = []
    for definition_id, of_definition in sorted(taken.items()):
        definition = await points.get_definition(session, definition_id)
        account_id = accounts[(contact_id, definition_id)]
        balance = balances[account_id]
        debited = owed = Decimal(0)
        for (valid_from, valid_to), amount in sorted(of_definition.by_window.items(), key=str):
            active = valid_from <= now and (valid_to is None or valid_to > now)
            debit = amount
            if active and not definition.allow_negative_balance:
                debit = min(amount, max(balance, Decimal(0)))
            if active:
                balance -= debit
            owed += amount - debit
            debited += debit
            if debit > 0:
                entries.append(
                    LedgerEntry(
                        contact_id=contact_id,
                        definition_id=definition_id,
                        amount=-debit,
                        transaction_date=receipt.occurred_at,
                        valid_from=valid_from,
                        valid_to=valid_to,
                        source=f"{SOURCE_PREFIX}{receipt.receipt_id}",
                        description="Points of returned articles taken back",
                    )
                )
        if owed > 0:
            already = await repository.owed(session, contact_id, definition_id)
            await repository.set_owed(session, contact_id, definition_id, already + owed, now)
        told = PointsTakenBack(
            contactId=contact_id,
            definitionId=definition_id,
            receiptId=receipt.receipt_id,
            points=debited + owed,
            debited=debited,
            owed=owed,
            lines=of_definition.lines,
        )
        events.append(NewEvent(EventType.POINTS_TAKEN_BACK, rendered(told), contact_id, now))
    await points.append_entries(session, entries, accounts)
    await outbox.record(session, events)
