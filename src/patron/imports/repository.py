"""Queries for bulk contact imports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import ContactImport


async def get(session: AsyncSession, import_id: uuid.UUID) -> ContactImport | None:
    return await session.get(ContactImport, import_id)


def add(session: AsyncSession, batch: ContactImport) -> None:
    session.add(batch)


async def claim_next(session: AsyncSession, now: datetime, stale_before: datetime) -> ContactImport | None:
    """Move the oldest queued (or abandoned running) import to Running; None when there is none.

    The conditional UPDATE makes the claim atomic, so several workers never take the same batch.
    """
    candidate = (
        await session.execute(
            select(ContactImport.id, ContactImport.status, ContactImport.started_on)
            .where(
                or_(
                    ContactImport.status == "Queued",
                    (ContactImport.status == "Running") & (ContactImport.started_on < stale_before),
                )
            )
            .order_by(ContactImport.created_on)
            .limit(1)
        )
    ).first()
    if candidate is None:
        return None
    claimed = await session.execute(
        update(ContactImport)
        .where(ContactImport.id == candidate.id, ContactImport.status == candidate.status)
        .where(
            ContactImport.started_on.is_(None)
            if candidate.started_on is None
            else ContactImport.started_on == candidate.started_on
        )
        .values(status="Running", started_on=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(ContactImport, candidate.id, populate_existing=True)
