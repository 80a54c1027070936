"""Every query for webhook endpoints, their deliveries and attempts, and the outbox events to fan out."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select, text, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from patron.db.upsert import insert_for
from patron.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

PENDING = "pending"


async def endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return await session.get(WebhookEndpoint, endpoint_id)


async def endpoints_page(
    session: AsyncSession, offset: int, count: int
) -> tuple[Sequence[WebhookEndpoint], int]:
    total = (await session.execute(select(func.count()).select_from(WebhookEndpoint))).scalar_one()
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.created_on, WebhookEndpoint.id)
    found = (await session.execute(stmt.offset(offset).limit(count))).scalars().all()
    return found, int(total)


async def active_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    return (await session.execute(stmt)).scalars().all()


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def insert_attempts(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    # One executemany, without the unit of work's bookkeeping of objects no one reads back.
    if rows:
        await session.execute(insert(WebhookAttempt), list(rows))


async def endpoints_by_id(
    session: AsyncSession, endpoint_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, WebhookEndpoint]:
    if not endpoint_ids:
        return {}
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids))
    return {row.id: row for row in (await session.execute(stmt)).scalars().all()}


async def remove_endpoint(session: AsyncSession, row: WebhookEndpoint) -> None:
    # Attempts and deliveries go with it (ON DELETE CASCADE, spelled out for SQLite's sake).
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == row.id)
    await session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == row.id))
    await session.delete(row)
    await session.flush()


# Deliveries


async def delivery(
    session: AsyncSession, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    stmt = select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def deliveries_page(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    offset: int,
    count: int,
    status: str | None,
    event_type: str | None,
) -> tuple[Sequence[WebhookDelivery], int]:
    where = [WebhookDelivery.endpoint_id == endpoint_id]
    if status is not None:
        where.append(WebhookDelivery.status == status)
    if event_type is not None:
        where.append(WebhookDelivery.event_type == event_type)
    total = (
        await session.execute(select(func.count()).select_from(WebhookDelivery).where(*where))
    ).scalar_one()
    stmt = (
        select(WebhookDelivery)
        .where(*where)
        .order_by(WebhookDelivery.created_on.desc(), WebhookDelivery.event_seq.desc(), WebhookDelivery.id)
        .offset(offset)
        .limit(count)
    )
    return (await session.execute(stmt)).scalars().all(), int(total)


async def attempts_of(session: AsyncSession, delivery_ids: Sequence[uuid.UUID]) -> Sequence[WebhookAttempt]:
    if not delivery_ids:
        return []
    stmt = (
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number, WebhookAttempt.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def insert_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert deliveries; one an endpoint has for that outbox event already is left alone."""
    if rows:
        stmt = insert_for(session, WebhookDelivery).on_conflict_do_nothing(
            index_elements=["endpoint_id", "fanout_seq"]
        )
        await session.execute(stmt, list(rows))


async def claim(
    session: AsyncSession, now: datetime, until: datetime, token: uuid.UUID, limit: int
) -> Sequence[WebhookDelivery]:
    """Lease up to `limit` due deliveries to the caller (token), skipping rows another worker
    has locked (PostgreSQL) and every delivery a contact's earlier pending one to the same
    endpoint holds back, so an endpoint hears one contact's events in order."""
    earlier = aliased(WebhookDelivery)
    held_back = exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id,
        earlier.contact_id == WebhookDelivery.contact_id,
        earlier.status == PENDING,
        earlier.event_seq < WebhookDelivery.event_seq,
    )
    # An earlier event of the contact that another worker is still fanning out: its
    # deliveries are not there yet to hold this one back.
    not_fanned_yet = exists().where(
        OutboxEvent.contact_id == WebhookDelivery.contact_id,
        OutboxEvent.fanned_out_at.is_(None),
        OutboxEvent.seq < WebhookDelivery.event_seq,
    )
    due = (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == PENDING,
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
            WebhookEndpoint.active.is_(True),
            ~held_back,
            ~not_fanned_yet,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.event_seq)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    ids = (await session.execute(due)).scalars().all()
    if not ids:
        return []
    # Conditional, so a row whose lease another worker took meanwhile is not taken twice.
    await session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id.in_(ids),
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
        )
        .values(lease_until=until, lease_token=token)
        .execution_options(synchronize_session=False)
    )
    stmt = select(WebhookDelivery).where(WebhookDelivery.lease_token == token)
    return (await session.execute(stmt.execution_options(populate_existing=True))).scalars().all()


async def leased(session: AsyncSession, delivery_id: uuid.UUID, token: uuid.UUID) -> WebhookDelivery | None:
    """The delivery, locked, while the lease `token` is still its own."""
    stmt = (
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.lease_token == token)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def finish_leased(
    session: AsyncSession,
    delivery_ids: Sequence[uuid.UUID],
    tokens: Collection[uuid.UUID],
    status: str,
    now: datetime,
) -> set[uuid.UUID]:
    """End the deliveries still leased under one of `tokens` (each claim's token is new, so a
    delivery another worker has leased since is not among them): the ids ended."""
    if not delivery_ids:
        return set()
    stmt = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(delivery_ids), WebhookDelivery.lease_token.in_(tokens))
        .values(
            status=status,
            finished_on=now,
            # The claim counted this attempt as attempts + 1, and the lease kept it so.
            attempts=WebhookDelivery.attempts + 1,
            lease_until=None,
            lease_token=None,
        )
        .returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return set((await session.execute(stmt)).scalars().all())


async def clear_failing(session: AsyncSession, endpoint_ids: Collection[uuid.UUID]) -> None:
    """The endpoints are failing no more; a row already clear is neither written nor locked."""
    if not endpoint_ids:
        return
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id.in_(endpoint_ids), WebhookEndpoint.failing_since.is_not(None))
        .values(failing_since=None)
        .execution_options(synchronize_session=False)
    )


async def lock_endpoint(session: AsyncSession, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    stmt = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def pending_by_endpoint(session: AsyncSession) -> dict[uuid.UUID, int]:
    stmt = (
        select(WebhookDelivery.endpoint_id, func.count())
        .where(WebhookDelivery.status == PENDING)
        .group_by(WebhookDelivery.endpoint_id)
    )
    return {row[0]: int(row[1]) for row in (await session.execute(stmt)).all()}


async def oldest_pending_since(session: AsyncSession) -> datetime | None:
    """When the oldest event still waiting for a delivery happened (a test event: when queued)."""
    stmt = (
        select(func.min(func.coalesce(OutboxEvent.occurred_at, WebhookDelivery.created_on)))
        .select_from(WebhookDelivery)
        .outerjoin(OutboxEvent, OutboxEvent.seq == WebhookDelivery.event_seq)
        .where(WebhookDelivery.status == PENDING)
    )
    value: datetime | None = (await session.execute(stmt)).scalar_one()
    return value


# The outbox, read in seq order


async def last_seq_taken(session: AsyncSession) -> int:
    """PostgreSQL: the highest seq any transaction has taken so far, committed or not."""
    stmt = text("SELECT last_value FROM outbox_events_seq_seq")
    return int((await session.execute(stmt)).scalar_one())


async def own_transaction_id(session: AsyncSession) -> int:
    """PostgreSQL: this transaction's id, given it now if it has none: every transaction that
    had its id earlier has a lower one."""
    return int((await session.execute(text("SELECT pg_current_xact_id()::text"))).scalar_one())


# Another transaction on this database that had its id before `xid`, still open. Transactions
# on the cluster's other databases never write these events and are left out.
_OLDER_OPEN = text(
    "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
    "AND age(backend_xid) > age(CAST(CAST(:xid % 4294967296 AS text) AS xid)))"
)


async def older_transactions_open(session: AsyncSession, xid: int) -> bool:
    """PostgreSQL: whether a transaction that had its id before `xid` is still open."""
    return bool((await session.execute(_OLDER_OPEN, {"xid": xid})).scalar_one())


async def unfanned_events(
    session: AsyncSession, limit: int, up_to: int | None = None
) -> Sequence[OutboxEvent]:
    """The oldest events without their deliveries yet (with a seq up to `up_to`), locked; on
    PostgreSQL those another worker is fanning out are skipped, so two workers fan out
    different events."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.fanned_out_at.is_(None), OutboxEvent.seq <= up_to if up_to is not None else true())
        .order_by(OutboxEvent.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()


async def mark_fanned_out(session: AsyncSession, seqs: Sequence[int], at: datetime) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.seq.in_(seqs))
        .values(fanned_out_at=at)
        .execution_options(synchronize_session=False)
    )


async def oldest_unfanned(session: AsyncSession) -> datetime | None:
    stmt = select(func.min(OutboxEvent.occurred_at)).where(OutboxEvent.fanned_out_at.is_(None))
    value: datetime | None = (await session.execute(stmt)).scalar_one()
    return value


async def events_since(
    session: AsyncSession, since: datetime, types: Sequence[str] | None, limit: int
) -> Sequence[OutboxEvent]:
    where = [OutboxEvent.occurred_at >= since]
    if types is not None:
        where.append(OutboxEvent.type.in_(types))
    stmt = select(OutboxEvent).where(and_(*where)).order_by(OutboxEvent.seq).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def events_by_seq(session: AsyncSession, seqs: Collection[int]) -> dict[int, OutboxEvent]:
    if not seqs:
        return {}
    stmt = select(OutboxEvent).where(OutboxEvent.seq.in_(seqs))
    return {event.seq: event for event in (await session.execute(stmt)).scalars().all()}
