"""Queries for bulk receipt batches."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import ReceiptBatch


async def get(session: AsyncSession, batch_id: uuid.UUID) -> ReceiptBatch | None:
    return await session.get(ReceiptBatch, batch_id, populate_existing=True)


def add(session: AsyncSession, batch: ReceiptBatch) -> None:
    session.add(batch)


async def claim_next(session: AsyncSession, now: datetime, stale_before: datetime) -> uuid.UUID | None:
    """Move the oldest queued (or abandoned running) batch to Running; None when there is none.
    The conditional UPDATE makes the claim atomic, so two workers never take the same batch."""
    candidate = (
        await session.execute(
            select(ReceiptBatch.id, ReceiptBatch.renewed_on)
            .where(
                or_(
                    ReceiptBatch.status == "Queued",
                    (ReceiptBatch.status == "Running") & (ReceiptBatch.renewed_on < stale_before),
                )
            )
            .order_by(ReceiptBatch.created_on)
            .limit(1)
        )
    ).first()
    if candidate is None:
        return None
    claimed = await session.execute(
        update(ReceiptBatch)
        .where(
            ReceiptBatch.id == candidate.id,
            ReceiptBatch.renewed_on.is_(None)
            if candidate.renewed_on is None
            else ReceiptBatch.renewed_on == candidate.renewed_on,
        )
        .values(status="Running", renewed_on=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    return uuid.UUID(str(candidate.id))
