"""Every query for interaction schemas and interactions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from patron.models import Interaction, InteractionSchema


async def schema(session: AsyncSession, schema_id: str) -> InteractionSchema | None:
    return await session.get(InteractionSchema, schema_id)


async def schemas(session: AsyncSession) -> Sequence[InteractionSchema]:
    return (await session.execute(select(InteractionSchema).order_by(InteractionSchema.id))).scalars().all()


async def schema_in_use(session: AsyncSession, schema_id: str) -> bool:
    return bool((await session.execute(select(exists().where(Interaction.schema_id == schema_id)))).scalar())


async def interaction(session: AsyncSession, interaction_id: uuid.UUID) -> Interaction | None:
    stmt = select(Interaction).where(Interaction.id == interaction_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    contact_id: uuid.UUID,
    schema_id: str,
    after: tuple[datetime, uuid.UUID] | None,
    count: int,
) -> Sequence[Interaction]:
    """Newest first, `count` + 1 of them (the extra one says whether another page follows),
    starting after the (createdDate, id) a continuation names."""
    stmt = select(Interaction).where(Interaction.contact_id == contact_id, Interaction.schema_id == schema_id)
    if after is not None:
        at, last_id = after
        stmt = stmt.where(
            or_(Interaction.created_date < at, and_(Interaction.created_date == at, Interaction.id < last_id))
        )
    stmt = stmt.order_by(Interaction.created_date.desc(), Interaction.id.desc()).limit(count + 1)
    return (await session.execute(stmt)).scalars().all()


async def delete_of_contact(session: AsyncSession, contact_id: uuid.UUID) -> None:
    await session.execute(delete(Interaction).where(Interaction.contact_id == contact_id))
