"""INSERT ... ON CONFLICT in the session's dialect (PostgreSQL and SQLite spell it alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, model: Any) -> Any:
    """An insert statement for `model` that offers `on_conflict_do_nothing`."""
    bind = session.bind
    if bind is not None and bind.dialect.name == "sqlite":
        return sqlite.insert(model)
    return postgresql.insert(model)
