"""Checking that what receipts earned agrees with the ledger.

Every ledger row a receipt causes has the source `receipt:<id>`: its credits, what its
returns took back, the debts its credits settled. Per account, those rows must add up to what
the receipts' lines earned less what returns took back, plus what is still owed (a take-back
that the balance could not cover was owed instead of debited).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from patron.earning import repository
from patron.earning.returns import SOURCE_PREFIX
from patron.points import service as points


async def differences(session: AsyncSession) -> list[str]:
    problems = [
        f"earning of receipt {row.receipt_id} line {row.line_position} under rule {row.rule_id}: "
        f"returned {row.returned_amount} of {row.line_amount}, took back {row.taken_back} of {row.points}"
        for row in await repository.inconsistent_earnings(session)
    ]
    ledger = await points.sums_by_source_prefix(session, SOURCE_PREFIX)
    kept = await repository.kept_per_account(session)
    owed = await repository.owed_per_account(session)
    zero = Decimal(0)
    for contact_id, definition_id in sorted(set(ledger) | set(kept) | set(owed), key=str):
        key = (contact_id, definition_id)
        if owed.get(key, zero) < 0:
            problems.append(f"contact {contact_id} owes {owed[key]} points of definition {definition_id}")
        expected = kept.get(key, zero) + owed.get(key, zero)
        if ledger.get(key, zero) != expected:
            problems.append(
                f"contact {contact_id}, definition {definition_id}: receipts' ledger rows add up to "
                f"{ledger.get(key, zero)}, their earnings less take-backs plus what is owed to {expected}"
            )
    return problems
