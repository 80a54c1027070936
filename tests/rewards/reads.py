"""What the database holds for a contact's rewards and what paid them: the reward log, the
promotion assignments and the point transactions (columns the API does not show)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select

from patron.db.engine import Database
from patron.db.session import transaction
from patron.models import PointDefinition, PointTransaction, PromotionAssignment, Reward

Model = TypeVar("Model", Reward, PromotionAssignment, PointTransaction)


async def _of_contact(database: Database, model: type[Model], contact_id: str) -> list[Model]:
    async with transaction(database, write=False) as session:
        stmt = select(model).where(model.contact_id == uuid.UUID(contact_id))
        return list((await session.execute(stmt)).scalars().all())


async def reward_rows(database: Database, contact_id: str) -> list[Reward]:
    return await _of_contact(database, Reward, contact_id)


async def assignments(database: Database, contact_id: str) -> list[PromotionAssignment]:
    return await _of_contact(database, PromotionAssignment, contact_id)


async def point_transactions(database: Database, contact_id: str) -> list[PointTransaction]:
    return await _of_contact(database, PointTransaction, contact_id)


async def point_definitions(database: Database) -> list[PointDefinition]:
    async with transaction(database, write=False) as session:
        stmt = select(PointDefinition).order_by(PointDefinition.id)
        return list((await session.execute(stmt)).scalars().all())


def by_threshold(rows: Sequence[Any], key: str = "threshold") -> dict[str, Any]:
    """Rows (reward rows or the API's rewards) by their threshold, each threshold once."""
    found: dict[str, Any] = {}
    for row in rows:
        threshold = row[key] if isinstance(row, dict) else getattr(row, key)
        assert threshold not in found, f"threshold {threshold} twice"
        found[threshold] = row
    return found
