"""Closing the timers of AWT and IWT rules once their window has passed: an IWT rule whose
trigger never reached its target is completed and rewarded (once), an AWT rule whose trigger
came too late or not at all is missed. Run by the worker's window job.

Rows are claimed with FOR UPDATE SKIP LOCKED (PostgreSQL), so workers close windows side by
side; a customer's event that arrives at the same moment waits for the lock, then reads the
row as closed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from patron.campaigns import repository, specs
from patron.campaigns.completions import Completion, settle
from patron.campaigns.participants import rule_state
from patron.campaigns.rules import close_window
from patron.rewards.service import RewardIssuer

BATCH = 200


async def close_due(session: AsyncSession, issuer: RewardIssuer, now: datetime, limit: int = BATCH) -> int:
    """Close up to `limit` windows that ended by `now`; how many were closed."""
    due = await repository.due_windows(session, now, limit)
    if not due:
        return 0
    rules = {rule.id: rule for rule in await repository.rules_by_id(session, {row.rule_id for row in due})}
    actions = await repository.actions_of(session, list(rules))
    customers = {
        c.contact_id: c
        for c in await repository.customers_by_contact(session, {row.contact_id for row in due})
    }
    completions: list[Completion] = []
    for row in due:
        rule = rules[row.rule_id]
        spec = specs.spec_of(rule, [action for action in actions if action.rule_id == rule.id])
        step = close_window(spec, rule_state(row), now)
        row.status = step.rule.status.value
        row.completed_at = step.rule.completed_at
        row.modified_on = now
        if step.completed:
            customer = customers.get(row.contact_id)
            source_id = customer.source_id if customer is not None else ""
            completions.append(
                Completion(rule, row.contact_id, source_id, row.side, step.rule.completed_at or now)
            )
    await session.flush()
    await settle(session, issuer, completions)
    return len(due)
