"""Receipt-driven checkpoints: a stored receipt awards checkpoints to matching challenges.

Subscribed to the application's activity bus when it is assembled (`patron.state.assemble`). Only PURCHASE lines count: a RETURN never
takes checkpoints back (the stamps a customer saw on the receipt stay theirs), and a replayed
receipt is never published, so it never adds any.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity, ReceiptLineActivity
from patron.articles import service as articles
from patron.challenges.checkpoints import CheckpointBatches
from patron.challenges.limits import CHECKPOINT_AMOUNT_MOST
from patron.challenges.receipt_rules import ReceiptRule, ReceiptRules
from patron.challenges.schemas import CheckpointRow
from patron.challenges.statuses import AssignOn, DefinitionStatus, status_at
from patron.kit import clock

log = logging.getLogger("patron.challenges")


def line_matches(article_filter: Mapping[str, Any] | None, line: ReceiptLineActivity) -> bool:
    """Every criterion the filter names must match (any value within a criterion)."""
    if not article_filter:
        return True
    numbers = set(article_filter.get("articleNumbers") or [])
    groups = set(article_filter.get("groups") or [])
    brands = set(article_filter.get("brands") or [])
    if numbers and line.article_number not in numbers and line.sku not in numbers:
        return False
    if groups and line.article_group not in groups:
        return False
    return not (brands and line.brand not in brands)


def checkpoints_for(definition: ReceiptRule, receipt: ReceiptActivity) -> int:
    """The checkpoints a receipt earns under a definition, however many (a line's quantity
    may reach 10^14, and an amount of 0.0001 makes each unit 10 000 checkpoints); `on_receipt`
    applies at most what the challenge limits let through."""
    amount = definition.assign_on_amount or Decimal(1)
    if definition.assign_on == AssignOn.RECEIPT_TOTAL:
        return 1 if receipt.total >= amount else 0
    lines = [
        line
        for line in receipt.lines
        if line.type == "PURCHASE" and line_matches(definition.article_filter, line)
    ]
    if definition.assign_on == AssignOn.RECEIPT_LINE_QUANTITY:
        return int(sum((line.quantity for line in lines), Decimal(0)) // amount)
    if definition.assign_on == AssignOn.RECEIPT_LINE_TOTAL:
        return sum(1 for line in lines if line.total >= amount)
    return 0


async def _with_register(session: AsyncSession, receipt: ReceiptActivity) -> ReceiptActivity:
    """The lines with the article register's group and brand (the register knows the article
    best; the till's own group is the fallback)."""
    register = await articles.by_numbers(
        session, {line.article_number for line in receipt.lines if line.article_number}
    )

    def described(line: ReceiptLineActivity) -> ReceiptLineActivity:
        article = register.get(line.article_number or "")
        if article is None:
            return line
        return replace(
            line,
            article_group=article.article_group or line.article_group,
            brand=article.brand or line.brand,
        )

    return replace(receipt, lines=tuple(described(line) for line in receipt.lines))


@dataclass(frozen=True)
class ReceiptCheckpoints:
    """The receipt subscriber: awards the checkpoints a stored receipt earns under the live
    receipt-driven definitions (`rules`), through the application's checkpoint batches."""

    rules: ReceiptRules
    batches: CheckpointBatches

    async def _live_rules(self, session: AsyncSession) -> list[ReceiptRule]:
        now = clock.now()
        return [
            rule
            for rule in await self.rules.current(session)
            if status_at(rule, now) is DefinitionStatus.ACTIVE
        ]

    async def listens(self, session: AsyncSession) -> bool:
        """Whether a receipt stored now could award checkpoints: some receipt-driven definition is live."""
        return bool(await self._live_rules(session))

    async def on_receipt(self, session: AsyncSession, receipt: ReceiptActivity) -> None:
        live = await self._live_rules(session)
        if any(rule.reads_register for rule in live):
            receipt = await _with_register(session, receipt)
        rows = [
            CheckpointRow(
                definitionId=rule.id,
                contactId=receipt.contact_id,
                checkpointAmount=_within_a_row(rule, receipt, earned),
            )
            for rule in live
            if (earned := checkpoints_for(rule, receipt)) > 0
        ]
        if rows:
            await self.batches.apply(session, rows, source="receipt", receipt_id=receipt.receipt_id)


def _within_a_row(rule: ReceiptRule, receipt: ReceiptActivity, earned: int) -> int:
    """What one checkpoint row carries of `earned`: at most the largest amount a row takes,
    already far more than the limits of a request let a recurring definition use (the batch
    cuts it further to the most that fits, and logs that)."""
    if earned <= CHECKPOINT_AMOUNT_MOST:
        return earned
    log.warning(
        "receipt %s: %s checkpoints of definition %s for contact %s cut to %s (the most a row takes)",
        receipt.receipt_id,
        earned,
        rule.id,
        receipt.contact_id,
        CHECKPOINT_AMOUNT_MOST,
    )
    return CHECKPOINT_AMOUNT_MOST
