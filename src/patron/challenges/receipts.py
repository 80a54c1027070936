"""Receipt-driven checkpoints: a stored receipt awards checkpoints to matching challenges.

Subscribed to the activity bus in `create_app`. Only PURCHASE lines count: a RETURN never
takes checkpoints back (the stamps a customer saw on the receipt stay theirs), and a replayed
receipt is never published, so it never adds any.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from patron.activity.bus import ReceiptActivity, ReceiptLineActivity
from patron.challenges import repository
from patron.challenges.checkpoints import apply_checkpoints
from patron.challenges.schemas import CheckpointRow
from patron.challenges.statuses import AssignOn, DefinitionStatus, definition_status
from patron.kit import clock
from patron.models import ChallengeDefinition


def line_matches(article_filter: dict[str, Any] | None, line: ReceiptLineActivity) -> bool:
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


def checkpoints_for(definition: ChallengeDefinition, receipt: ReceiptActivity) -> int:
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


async def on_receipt(session: AsyncSession, receipt: ReceiptActivity) -> None:
    now = clock.now()
    rows = []
    for definition in await repository.receipt_driven_definitions(session):
        status = definition_status(
            definition.status,
            definition.is_scheduled,
            definition.scheduled_from,
            definition.scheduled_to,
            now,
        )
        earned = checkpoints_for(definition, receipt)
        if status is DefinitionStatus.ACTIVE and earned > 0:
            rows.append(
                CheckpointRow(
                    definitionId=definition.id, contactId=receipt.contact_id, checkpointAmount=earned
                )
            )
    if rows:
        await apply_checkpoints(session, rows, source="receipt", receipt_id=receipt.receipt_id)
