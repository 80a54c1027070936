"""PostgreSQL: a checkpoint batch finds each of its cards with one index probe, whatever plan
the server makes for its thousand-element arrays. A plan that reads the whole challenges table
instead costs a batch more, under its locks, the more cards there are."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from patron.challenges import repository
from patron.db import migrate

CARDS = 20_000
BATCH = 1000


@pytest.fixture
async def cards(fresh_postgres_url: str) -> AsyncIterator[tuple[AsyncConnection, list[uuid.UUID]]]:
    """A migrated database of many cards, analysed, and a batch's worth of their ids."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    engine = create_async_engine(fresh_postgres_url)
    async with engine.connect() as connection:
        # The cards' contacts and definitions are not what is measured: no foreign-key checks.
        await connection.execute(text("SET session_replication_role = replica"))
        await connection.execute(
            text(
                "INSERT INTO challenges (id, contact_id, definition_id, cycle, is_current, "
                "completed_checkpoints, required_checkpoints, status, started_on) "
                "SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0, true, 0, 10, 1, now() "
                "FROM generate_series(1, :cards)"
            ),
            {"cards": CARDS},
        )
        await connection.commit()
        await connection.execute(text("ANALYZE challenges"))
        ids = list(
            (await connection.execute(text("SELECT id FROM challenges LIMIT :n"), {"n": BATCH})).scalars()
        )
        yield connection, ids
    await engine.dispose()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _tables_read_whole(
    connection: AsyncConnection, statement: Any, parameters: dict[str, Any]
) -> set[str]:
    """The tables that the plan made with these values in hand (as for a prepared statement's
    first runs) reads from end to end."""
    sql = getattr(statement, "element", statement).text
    plan = (await connection.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"), parameters)).scalar_one()
    return {node["Relation Name"] for node in _nodes(plan[0]["Plan"]) if node["Node Type"] == "Seq Scan"}


def _arrays(prefix: str, columns: tuple[str, ...], rows: int, **values: Any) -> dict[str, list[Any]]:
    """One array per column, `rows` long: the value given for the column, else NULLs."""
    return {prefix + name: [values.get(name)] * rows for name in columns}


async def test_a_batch_writes_its_cards_by_index(cards: tuple[AsyncConnection, list[uuid.UUID]]) -> None:
    connection, ids = cards
    now = datetime.now(UTC)
    state = ("id", *repository._STATE_COLUMNS)
    new_state = {"cycle": 0, "completed_checkpoints": 1, "status": 1, "started_on": now, "is_current": True}
    # Every card's count moved on, or every card has a new state; no new cards either way.
    counted = {**_arrays("p_", ("completed_checkpoints",), len(ids), completed_checkpoints=1), "p_id": ids}
    updated = {**_arrays("u_", state, len(ids), **new_state), "u_id": ids}
    batches = (
        {**counted, **_arrays("u_", state, 0)},
        {**updated, **_arrays("p_", ("id", "completed_checkpoints"), 0)},
    )
    new_cards = {**_arrays("i_", (*repository._NEW_CARD_COLUMNS, "origin"), 0), "p_at": now}
    log = {
        **_arrays("l_", ("contact_id", "definition_id", "amount"), 0),
        **{"l_kind": "checkpoint", "l_source": "api", "l_receipt_id": None, "l_at": now},
    }
    for batch in batches:
        # Worked out before the locks, written if unchanged (NULL: a card of this batch's own).
        versions = {
            "u_was_version": [None] * len(batch["u_id"]),
            "p_was_version": [None] * len(batch["p_id"]),
        }
        early = {**batch, **versions, **new_cards}
        assert await _tables_read_whole(connection, repository._WRITE_IF_UNCHANGED, early) == set()
        # Worked out under the locks.
        assert (
            await _tables_read_whole(connection, repository._WRITE_BATCH, {**batch, **new_cards, **log})
            == set()
        )
