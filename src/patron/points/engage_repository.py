"""Queries of point accounts as Engage v3 addresses them: by account id, with the client's
transaction ids, and a contact's whole ledger."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from patron.db.upsert import insert_for
from patron.models import PointAccount, PointDefinition, PointTransaction, PointTransactionKey
from patron.points.repository import active_at, pending_at


async def definition_ids(session: AsyncSession) -> list[int]:
    return list((await session.execute(select(PointDefinition.id).order_by(PointDefinition.id))).scalars())


async def held_definition_ids(session: AsyncSession, contact_id: uuid.UUID) -> set[int]:
    stmt = select(PointAccount.definition_id).where(PointAccount.contact_id == contact_id)
    return set((await session.execute(stmt)).scalars())


async def accounts_by_id(session: AsyncSession, ids: set[int]) -> dict[int, PointAccount]:
    if not ids:
        return {}
    stmt = select(PointAccount).where(PointAccount.id.in_(ids))
    return {account.id: account for account in (await session.execute(stmt)).scalars()}


async def taken_keys(
    session: AsyncSession, keys: set[tuple[uuid.UUID, int, str]]
) -> set[tuple[uuid.UUID, int, str]]:
    if not keys:
        return set()
    K = PointTransactionKey
    stmt = select(K.contact_id, K.account_id, K.transaction_key).where(
        tuple_(K.contact_id, K.account_id, K.transaction_key).in_(sorted(keys, key=str))
    )
    return {(c, a, k) for c, a, k in (await session.execute(stmt)).all()}


async def add_keys(session: AsyncSession, keys: list[tuple[uuid.UUID, int, str]], at: datetime) -> None:
    if not keys:
        return
    rows = [{"contact_id": c, "account_id": a, "transaction_key": k, "created_on": at} for c, a, k in keys]
    await session.execute(insert_for(session, PointTransactionKey).values(rows))


async def contact_transactions_page(
    session: AsyncSession, contact_id: uuid.UUID, which: str, at: datetime, offset: int, count: int
) -> tuple[Sequence[PointTransaction], int]:
    Tx = PointTransaction
    # Through the contact's accounts, which the ledger's account index serves.
    accounts = select(PointAccount.id).where(PointAccount.contact_id == contact_id).scalar_subquery()
    where: list[ColumnElement[bool]] = [Tx.account_id.in_(accounts)]
    if which == "Active":
        where.append(active_at(at))
    elif which == "Pending":
        where.append(pending_at(at))
    total = (await session.execute(select(func.count()).select_from(Tx).where(*where))).scalar_one()
    stmt = select(Tx).where(*where).order_by(Tx.id.desc()).offset(offset).limit(count)
    return (await session.execute(stmt)).scalars().all(), int(total)


async def transaction(session: AsyncSession, transaction_id: int) -> PointTransaction | None:
    return await session.get(PointTransaction, transaction_id)
