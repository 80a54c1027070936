"""Every query of earning rules, what receipt lines earned under them, and points owed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.db.types import money_sum
from patron.db.upsert import insert_for
from patron.models import PointEarning, PointRule, PointsOwed

Earning = PointEarning


async def rule(session: AsyncSession, rule_id: uuid.UUID) -> PointRule | None:
    return await session.get(PointRule, rule_id)


async def rules_page(session: AsyncSession, offset: int, count: int) -> tuple[Sequence[PointRule], int]:
    total = (await session.execute(select(func.count()).select_from(PointRule))).scalar_one()
    stmt = (
        select(PointRule)
        .order_by(PointRule.position, PointRule.created_on, PointRule.id)
        .offset(offset)
        .limit(count)
    )
    return (await session.execute(stmt)).scalars().all(), int(total)


async def all_rules(session: AsyncSession) -> Sequence[PointRule]:
    return (await session.execute(select(PointRule))).scalars().all()


def add_rule(session: AsyncSession, rule: PointRule) -> None:
    session.add(rule)


async def delete_rule(session: AsyncSession, rule_id: uuid.UUID) -> None:
    await session.execute(delete(PointRule).where(PointRule.id == rule_id))


async def has_earnings(session: AsyncSession, rule_id: uuid.UUID) -> bool:
    stmt = select(Earning.rule_id).where(Earning.rule_id == rule_id).limit(1)
    return (await session.execute(stmt)).first() is not None


async def insert_earnings(session: AsyncSession, rows: list[dict[str, Any]]) -> set[tuple[uuid.UUID, int]]:
    """Insert the rows that are not there yet; the (rule, line position) of those inserted."""
    if not rows:
        return set()
    stmt = (
        insert_for(session, Earning)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(Earning.rule_id, Earning.line_position)
    )
    return {(rule_id, position) for rule_id, position in (await session.execute(stmt)).all()}


def _locked(session: AsyncSession, stmt: Any) -> Any:
    # SQLite: the receipt's insert already holds the database's one write lock.
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update()
    return stmt


async def returnable_of_receipt(
    session: AsyncSession, contact_id: uuid.UUID, receipt_id: uuid.UUID, article_number: str
) -> Sequence[PointEarning]:
    """The lines of one receipt of the contact, of this article, with an amount left to return."""
    stmt = (
        select(Earning)
        .where(
            Earning.contact_id == contact_id,
            Earning.receipt_id == receipt_id,
            Earning.article_number == article_number,
            Earning.returned_amount < Earning.line_amount,
        )
        .order_by(Earning.line_position, Earning.rule_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(_locked(session, stmt))).scalars().all()


async def returnable_of_contact(
    session: AsyncSession, contact_id: uuid.UUID, article_number: str, other_than: uuid.UUID
) -> Sequence[PointEarning]:
    """The contact's earlier lines of this article with an amount left to return, newest first."""
    stmt = (
        select(Earning)
        .where(
            Earning.contact_id == contact_id,
            Earning.article_number == article_number,
            Earning.receipt_id != other_than,
            Earning.returned_amount < Earning.line_amount,
        )
        .order_by(Earning.earned_on.desc(), Earning.receipt_id, Earning.line_position, Earning.rule_id)
        .execution_options(populate_existing=True)
    )
    return (await session.execute(_locked(session, stmt))).scalars().all()


async def record_return(
    session: AsyncSession, earning: PointEarning, returned_amount: Decimal, taken_back: Decimal
) -> None:
    await session.execute(
        update(Earning)
        .where(
            Earning.contact_id == earning.contact_id,
            Earning.receipt_id == earning.receipt_id,
            Earning.rule_id == earning.rule_id,
            Earning.line_position == earning.line_position,
        )
        .values(returned_amount=returned_amount, taken_back=taken_back)
        .execution_options(synchronize_session=False)
    )


async def owed(session: AsyncSession, contact_id: uuid.UUID, definition_id: int) -> Decimal:
    stmt = select(PointsOwed.amount).where(
        PointsOwed.contact_id == contact_id, PointsOwed.definition_id == definition_id
    )
    return (await session.execute(stmt)).scalar_one_or_none() or Decimal(0)


async def set_owed(
    session: AsyncSession, contact_id: uuid.UUID, definition_id: int, amount: Decimal, at: datetime
) -> None:
    """Write what the contact owes (under the account's lock, so no two writers meet here)."""
    table = insert_for(session, PointsOwed)
    stmt = table.values(
        contact_id=contact_id, definition_id=definition_id, amount=amount, modified_on=at
    ).on_conflict_do_update(
        index_elements=["contact_id", "definition_id"],
        set_={"amount": table.excluded.amount, "modified_on": table.excluded.modified_on},
    )
    await session.execute(stmt)


async def kept_per_account(session: AsyncSession) -> dict[tuple[uuid.UUID, int], Decimal]:
    """Per (contact, definition): what receipts earned less what returns took back."""
    stmt = select(
        Earning.contact_id, Earning.definition_id, money_sum(Earning.points - Earning.taken_back)
    ).group_by(Earning.contact_id, Earning.definition_id)
    return {(c, d): amount for c, d, amount in (await session.execute(stmt)).all()}


async def owed_per_account(session: AsyncSession) -> dict[tuple[uuid.UUID, int], Decimal]:
    stmt = select(PointsOwed.contact_id, PointsOwed.definition_id, PointsOwed.amount)
    return {(c, d): amount for c, d, amount in (await session.execute(stmt)).all()}


async def inconsistent_earnings(session: AsyncSession) -> Sequence[PointEarning]:
    """Lines that returned more than they had, or gave back more than they earned."""
    stmt = select(Earning).where(
        (Earning.returned_amount > Earning.line_amount)
        | (Earning.taken_back > Earning.points)
        | (Earning.taken_back < 0)
    )
    return (await session.execute(stmt)).scalars().all()
