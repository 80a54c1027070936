"""Every query for point definitions, accounts and transactions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.db.types import money_sum
from patron.db.upsert import insert_for
from patron.models import PointAccount, PointDefinition, PointTransaction

Tx = PointTransaction


def active_at(at: datetime) -> ColumnElement[bool]:
    return and_(Tx.valid_from <= at, or_(Tx.valid_to.is_(None), Tx.valid_to > at))


def pending_at(at: datetime) -> ColumnElement[bool]:
    return Tx.valid_from > at


async def definition(session: AsyncSession, definition_id: int) -> PointDefinition | None:
    return await session.get(PointDefinition, definition_id)


async def definition_by_name(session: AsyncSession, name: str) -> PointDefinition | None:
    stmt = select(PointDefinition).where(PointDefinition.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def existing_definition_ids(session: AsyncSession, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    stmt = select(PointDefinition.id).where(PointDefinition.id.in_(ids))
    return set((await session.execute(stmt)).scalars().all())


async def definitions_page(
    session: AsyncSession, offset: int, count: int
) -> tuple[Sequence[PointDefinition], int]:
    total = (await session.execute(select(func.count()).select_from(PointDefinition))).scalar_one()
    stmt = select(PointDefinition).order_by(PointDefinition.id).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


async def insert_definition_if_absent(session: AsyncSession, values: dict[str, Any]) -> None:
    stmt = insert_for(session, PointDefinition).values(**values).on_conflict_do_nothing()
    await session.execute(stmt)


async def account(session: AsyncSession, account_id: int) -> PointAccount | None:
    return await session.get(PointAccount, account_id)


async def account_of(session: AsyncSession, contact_id: uuid.UUID, definition_id: int) -> PointAccount | None:
    stmt = select(PointAccount).where(
        PointAccount.contact_id == contact_id, PointAccount.definition_id == definition_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def accounts_page(
    session: AsyncSession, contact_id: uuid.UUID, offset: int, count: int
) -> tuple[Sequence[PointAccount], int]:
    where = PointAccount.contact_id == contact_id
    total = (await session.execute(select(func.count()).select_from(PointAccount).where(where))).scalar_one()
    stmt = select(PointAccount).where(where).order_by(PointAccount.id).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


async def ensure_accounts(session: AsyncSession, pairs: list[tuple[uuid.UUID, int]], at: datetime) -> None:
    """Create the missing accounts; a concurrent creator of the same one wins quietly."""
    if not pairs:
        return
    rows = [{"contact_id": c, "definition_id": d, "created_on": at} for c, d in sorted(set(pairs), key=str)]
    await session.execute(insert_for(session, PointAccount).values(rows).on_conflict_do_nothing())


async def account_ids(
    session: AsyncSession, pairs: list[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], int]:
    if not pairs:
        return {}
    wanted = set(pairs)
    stmt = select(PointAccount.contact_id, PointAccount.definition_id, PointAccount.id).where(
        PointAccount.contact_id.in_({c for c, _ in wanted}),
        PointAccount.definition_id.in_({d for _, d in wanted}),
    )
    return {(c, d): i for c, d, i in (await session.execute(stmt)).all() if (c, d) in wanted}


async def balances(
    session: AsyncSession, account_ids: list[int], at: datetime
) -> dict[int, tuple[Decimal, Decimal, datetime | None]]:
    """(active balance, pending points, earliest expiry of active points) per account."""
    if not account_ids:
        return {}
    zero = Decimal(0)
    active = active_at(at)
    stmt = (
        select(
            Tx.account_id,
            money_sum(case((active, Tx.amount), else_=0)),
            money_sum(case((pending_at(at), Tx.amount), else_=0)),
            func.min(case((and_(active, Tx.amount > 0), Tx.valid_to), else_=None)),
        )
        .where(Tx.account_id.in_(account_ids))
        .group_by(Tx.account_id)
    )
    found = {row[0]: (row[1] or zero, row[2] or zero, row[3]) for row in (await session.execute(stmt)).all()}
    return {i: found.get(i, (zero, zero, None)) for i in account_ids}


def _filtered(stmt: Any, which: str, at: datetime) -> Any:
    if which == "Active":
        return stmt.where(active_at(at))
    if which == "Pending":
        return stmt.where(pending_at(at))
    return stmt


async def transactions_page(
    session: AsyncSession, account_id: int, which: str, at: datetime, offset: int, count: int
) -> tuple[Sequence[PointTransaction], int]:
    base = select(Tx).where(Tx.account_id == account_id)
    counted = _filtered(select(func.count()).select_from(Tx).where(Tx.account_id == account_id), which, at)
    total = (await session.execute(counted)).scalar_one()
    stmt = _filtered(base, which, at).order_by(Tx.id.desc()).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


async def add_transactions(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    result = await session.execute(insert_for(session, Tx).values(rows).returning(Tx.id))
    return list(result.scalars().all())


async def all_account_ids(session: AsyncSession) -> list[int]:
    return list((await session.execute(select(PointAccount.id).order_by(PointAccount.id))).scalars().all())


async def ledger_sums(session: AsyncSession, at: datetime) -> dict[int, Decimal]:
    """Per account, the plain sum of its active transactions, row by row (the rebuild's check)."""
    stmt = select(Tx.account_id, Tx.amount).where(active_at(at))
    sums: dict[int, Decimal] = {}
    for account_id, amount in (await session.execute(stmt)).all():
        sums[account_id] = sums.get(account_id, Decimal(0)) + amount
    return sums


async def claim_expired(session: AsyncSession, now: datetime, limit: int) -> list[Tx]:
    """Claim up to `limit` transactions whose validTo has passed and whose expiry is not told
    yet, oldest first, noting `now` as told: a conditional update, so of two concurrent callers
    each claims a row at most once (on PostgreSQL a row another caller holds is skipped)."""
    untold = (Tx.valid_to.is_not(None), Tx.valid_to <= now, Tx.expiry_told_on.is_(None))
    chosen = select(Tx.id).where(*untold).order_by(Tx.valid_to, Tx.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    stmt = (
        update(Tx)
        .where(Tx.id.in_(chosen.scalar_subquery()), *untold)
        .values(expiry_told_on=now)
        .returning(Tx)
        .execution_options(synchronize_session=False)
    )
    claimed = list((await session.execute(stmt)).scalars().all())
    return sorted(claimed, key=lambda tx: (tx.valid_to or now, tx.id))


async def sums_by_source_prefix(session: AsyncSession, prefix: str) -> dict[tuple[uuid.UUID, int], Decimal]:
    """Per (contact, definition), the sum of every transaction whose source starts with `prefix`."""
    stmt = (
        select(PointAccount.contact_id, PointAccount.definition_id, money_sum(Tx.amount))
        .join(PointAccount, PointAccount.id == Tx.account_id)
        .where(Tx.source.startswith(prefix, autoescape=True))
        .group_by(PointAccount.contact_id, PointAccount.definition_id)
    )
    return {(c, d): amount for c, d, amount in (await session.execute(stmt)).all()}


async def accounts_allowing_negative(session: AsyncSession) -> set[int]:
    """The accounts whose definition lets a balance go below zero."""
    stmt = (
        select(PointAccount.id)
        .join(PointDefinition, PointDefinition.id == PointAccount.definition_id)
        .where(PointDefinition.allow_negative_balance.is_(True))
    )
    return set((await session.execute(stmt)).scalars().all())
