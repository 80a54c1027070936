"""INSERT ... ON CONFLICT in the session's dialect (PostgreSQL and SQLite spell it alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, model: Any) -> Any:
    """An insert statement for `model` that offers `on_conflict_do_nothing`.

    It targets the model's table, so many rows go through Core's executemany rather than
    the ORM's bulk path, which handles every row in Python.
    """
    table = getattr(model, "__table__", model)
    bind = session.bind
    if bind is not None and bind.dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)
