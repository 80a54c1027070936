"""What is stored, counted over every table: a "nothing stored" check compares two of these,
so a write that lands in any table (a receipt's lines, a reward, an idempotency record, an
outbox row...) shows, not only the one the test thought of."""

from __future__ import annotations

from sqlalchemy import text

import patron.models  # noqa: F401  (registers every table in the metadata)
from patron.db.base import Base
from patron.db.engine import Database

STORED_TABLES = sorted(Base.metadata.tables)


async def stored_rows(database: Database) -> dict[str, int]:
    """The number of rows in every table, by table."""
    async with database.read_engine.connect() as connection:
        return {
            table: int((await connection.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one())
            for table in STORED_TABLES
        }
