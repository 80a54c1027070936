"""The receipt subscriber: credits what a stored receipt earns and takes back what it returns.

Runs in the transaction that stores the receipt (`patron.state.assemble` subscribes it to the
activity bus). Returns are taken back first, so that the same receipt's purchases (an exchange)
settle what the return could not take. Each (receipt, rule, line) is written once to
`point_earnings`, and only the rows this insert made are credited: a receipt published twice
pays once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity
from patron.articles import service as articles
from patron.earning import repository, returns
from patron.earning.cache import PointRules
from patron.earning.rules import LineEarning, Purchase, PurchaseLine, earned, months_later, pending_until
from patron.kit import clock
from patron.points import service as points
from patron.points.service import LedgerEntry


def receipt_source(receipt_id: uuid.UUID) -> str:
    """The ledger's `source` of every transaction a receipt caused (its credit, what its return
    took back, the debt its credit settled)."""
    return f"{returns.SOURCE_PREFIX}{receipt_id}"


async def _described(session: AsyncSession, lines: tuple[PurchaseLine, ...]) -> tuple[PurchaseLine, ...]:
    """The lines with the article register's group and brand (the till's group is the fallback)."""
    register = await articles.by_numbers(session, {line.article_number for line in lines})

    def described(line: PurchaseLine) -> PurchaseLine:
        article = register.get(line.article_number)
        if article is None:
            return line
        return replace(line, article_group=article.article_group or line.article_group, brand=article.brand)

    return tuple(described(line) for line in lines)


@dataclass(frozen=True)
class _Credit:
    """One rule's credit of one receipt."""

    entry: LedgerEntry
    earnings: tuple[LineEarning, ...]


def _credits(
    receipt: ReceiptActivity, earnings: list[LineEarning], zone: ZoneInfo, now: datetime
) -> list[_Credit]:
    by_rule: dict[uuid.UUID, list[LineEarning]] = defaultdict(list)
    for earning in earnings:
        by_rule[earning.rule.id].append(earning)
    made = []
    for rule_earnings in by_rule.values():
        rule = rule_earnings[0].rule
        valid_from = pending_until(receipt.occurred_at, rule.pending_days) if rule.pending_days else now
        valid_to = months_later(receipt.occurred_at, rule.expiry_months, zone) if rule.expiry_months else None
        entry = LedgerEntry(
            contact_id=receipt.contact_id,
            definition_id=rule.definition_id,
            amount=sum((e.points for e in rule_earnings), Decimal(0)),
            transaction_date=receipt.occurred_at,
            valid_from=valid_from,
            valid_to=valid_to,
            source=receipt_source(receipt.receipt_id),
            description=f"Earned under {rule.name}"[:1024],
        )
        made.append(_Credit(entry, tuple(rule_earnings)))
    return made


async def _settle_owed(session: AsyncSession, credits: list[LedgerEntry], now: datetime) -> list[LedgerEntry]:
    """Debits that take what the contact owes from these credits (under the accounts' locks).
    Only credits active now pay debts: a pending credit's window must never hold more debits
    than credits, or the balance would drop below zero the day it becomes active."""
    settling: list[LedgerEntry] = []
    by_definition: dict[int, list[LedgerEntry]] = defaultdict(list)
    for credit in credits:
        by_definition[credit.definition_id].append(credit)
    for definition_id, entries in sorted(by_definition.items()):
        contact_id = entries[0].contact_id
        owed = await repository.owed(session, contact_id, definition_id)
        if owed <= 0:
            continue
        for credit in entries:
            if credit.valid_from > now or owed <= 0:
                continue
            settled = min(owed, credit.amount)
            owed -= settled
            settling.append(
                replace(credit, amount=-settled, description="Owed points taken from this credit")
            )
        await repository.set_owed(session, contact_id, definition_id, owed, now)
    return settling


@dataclass(frozen=True)
class ReceiptEarning:
    """Credits receipts under the application's earning rules (`rules`), in the deployment's zone."""

    rules: PointRules
    zone: ZoneInfo

    async def listens(self, session: AsyncSession) -> bool:
        return await self.rules.any_rule(session)

    async def on_receipt(self, session: AsyncSession, receipt: ReceiptActivity) -> None:
        now = clock.now()
        if any(line.type == "RETURN" for line in receipt.lines):
            await returns.take_back(session, receipt, now)
        active = await self.rules.active(session)
        lines = tuple(
            PurchaseLine(
                position=position,
                article_number=line.article_number or "",
                sku=line.sku,
                article_group=line.article_group,
                brand=line.brand,
                total=line.total,
            )
            for position, line in enumerate(receipt.lines)
            if line.type == "PURCHASE" and line.total > 0
        )
        if not active or not lines:
            return
        if any(rule.article_filter.reads_register for rule in active):
            lines = await _described(session, lines)
        day = receipt.occurred_at.astimezone(self.zone).date()
        earnings = earned(active, Purchase(receipt.store_external_id, day, receipt.total, lines))
        if earnings:
            await self._credit(session, receipt, earnings, now)

    async def _credit(
        self, session: AsyncSession, receipt: ReceiptActivity, earnings: list[LineEarning], now: datetime
    ) -> None:
        credits = _credits(receipt, earnings, self.zone, now)
        rows = [
            {
                "contact_id": receipt.contact_id,
                "receipt_id": receipt.receipt_id,
                "rule_id": credit_earning.rule.id,
                "line_position": credit_earning.line.position,
                "definition_id": credit_earning.rule.definition_id,
                "article_number": credit_earning.line.article_number,
                "line_amount": credit_earning.line.total,
                "returned_amount": Decimal(0),
                "points": credit_earning.points,
                "taken_back": Decimal(0),
                "valid_from": credit.entry.valid_from,
                "valid_to": credit.entry.valid_to,
                "earned_on": now,
            }
            for credit in credits
            for credit_earning in credit.earnings
        ]
        inserted = await repository.insert_earnings(session, rows)
        # Only what this insert wrote is paid: a line already earned under a rule is not again.
        entries = [
            replace(
                credit.entry,
                amount=sum(
                    (e.points for e in credit.earnings if (e.rule.id, e.line.position) in inserted),
                    Decimal(0),
                ),
            )
            for credit in credits
        ]
        entries = [entry for entry in entries if entry.amount > 0]
        if not entries:
            return
        accounts = await points.lock_accounts(
            session, sorted({(e.contact_id, e.definition_id) for e in entries}, key=str)
        )
        settling = await _settle_owed(session, entries, now)
        await points.append_entries(session, [*entries, *settling], accounts)
