"""PostgreSQL: a checkpoint batch finds each of its challenges by its address or with one index
probe, whatever plan the server makes for its thousand-element arrays. A plan that reads the whole challenges table
instead costs a batch more, under its locks, the more challenges there are."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from patron.challenges import statements
from patron.db import migrate

CARDS = 100_000
BATCH = 1000


@pytest.fixture
async def challenges(fresh_postgres_url: str) -> AsyncIterator[tuple[AsyncConnection, list[Row[Any]]]]:
    """A migrated database of many challenges, analysed, and a batch's worth of them as a batch
    reads them (id, row version and address)."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    engine = create_async_engine(fresh_postgres_url)
    async with engine.connect() as connection:
        # The challenges' contacts and definitions are not what is measured: no foreign-key checks.
        await connection.execute(text("SET session_replication_role = replica"))
        await connection.execute(
            text(
                "INSERT INTO challenges (id, contact_id, definition_id, cycle, is_current, "
                "completed_checkpoints, required_checkpoints, status, started_on) "
                "SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0, true, 0, 10, 1, now() "
                "FROM generate_series(1, :challenges)"
            ),
            {"challenges": CARDS},
        )
        await connection.commit()
        await connection.execute(text("ANALYZE challenges"))
        read = text(
            "SELECT id, xmin AS row_version, CAST(ctid AS text) AS row_address FROM challenges LIMIT :n"
        )
        yield connection, list(await connection.execute(read, {"n": BATCH}))
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


async def test_a_batch_writes_its_challenges_by_index(
    challenges: tuple[AsyncConnection, list[Row[Any]]],
) -> None:
    connection, read = challenges
    ids = [challenge.id for challenge in read]
    now = datetime.now(UTC)
    state = ("id", *statements.STATE_COLUMNS)
    new_state = {"cycle": 0, "completed_checkpoints": 1, "status": 1, "started_on": now, "is_current": True}
    # Every challenge's count moved on, or every challenge has a new state; no new challenges either way.
    counted = {**_arrays("p_", ("completed_checkpoints",), len(ids), completed_checkpoints=1), "p_id": ids}
    updated = {**_arrays("u_", state, len(ids), **new_state), "u_id": ids}
    batches = (
        {**counted, **_arrays("u_", state, 0)},
        {**updated, **_arrays("p_", ("id", "completed_checkpoints"), 0)},
    )
    new_challenges = {**_arrays("i_", (*statements.NEW_CHALLENGE_COLUMNS, "origin"), 0), "p_at": now}
    log = {
        **_arrays("l_", ("contact_id", "definition_id", "amount"), 0),
        **{"l_kind": "checkpoint", "l_source": "api", "l_receipt_id": None, "l_at": now},
    }
    for batch in batches:
        # Worked out before the locks, written if unchanged.
        early = {**batch, **new_challenges, "log_ids": []}
        for prefix in ("u_", "p_"):
            written = read if batch[f"{prefix}id"] else []
            early[f"{prefix}was_version"] = [challenge.row_version for challenge in written]
            early[f"{prefix}row_address"] = [challenge.row_address for challenge in written]
        assert await _tables_read_whole(connection, statements.WRITE_IF_UNCHANGED, early) == set()
        # Worked out under the locks.
        assert (
            await _tables_read_whole(connection, statements.WRITE_BATCH, {**batch, **new_challenges, **log})
            == set()
        )
