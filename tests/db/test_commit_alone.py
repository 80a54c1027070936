"""A statement that is a request's whole write commits by itself, and only then."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from patron.api.handlers import is_bad_data
from patron.db.engine import Database
from patron.db.session import UnitOfWork, commit_alone, fetch_first_idempotent
from patron.kit import clock
from patron.models import Store

_INSERT = insert(Store.__table__)  # type: ignore[arg-type]


async def _stored(database: Database, external_id: str) -> bool:
    async with database.read_engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT count(*) FROM stores WHERE external_id = :external_id"), {"external_id": external_id}
        )
        await connection.rollback()
    return bool(found)


async def _write(unit: UnitOfWork, *, alone: bool) -> str:
    external_id = f"S-{uuid.uuid4().hex[:8]}"
    if alone:
        await commit_alone(unit.session)
    now = clock.now()
    await unit.session.execute(
        _INSERT,
        {
            "id": uuid.uuid4(),
            "external_id": external_id,
            "name": "Shop",
            "created_on": now,
            "modified_on": now,
        },
    )
    return external_id


async def _undone_by_rollback(database: Database, unit: UnitOfWork) -> bool:
    """Write in the unit's transaction and roll it back: whether the write is gone."""
    try:
        external_id = await _write(unit, alone=False)
        await unit.rollback()
    finally:
        await unit.close()
    return not await _stored(database, external_id)


async def test_a_request_s_sole_statement_commits_by_itself_on_postgresql(
    client: object, database: Database, backend: str
) -> None:
    unit = UnitOfWork(database, write=True)
    try:
        assert await commit_alone(unit.session) is (backend == "postgresql")
        external_id = await _write(unit, alone=False)
        # Seen by another connection before the unit commits: it committed with the statement.
        assert await _stored(database, external_id) is (backend == "postgresql")
        await unit.rollback()
        assert await _stored(database, external_id) is (backend == "postgresql")
    finally:
        await unit.close()


async def test_a_shared_unit_or_one_already_begun_keeps_its_transaction(
    client: object, database: Database
) -> None:
    for shared in (True, False):
        unit = UnitOfWork(database, write=True, shared=shared)
        if not shared:
            await unit.session.execute(text("SELECT 1"))  # a transaction has begun
        assert not await commit_alone(unit.session)
        assert await _undone_by_rollback(database, unit)


async def test_a_connection_that_committed_alone_is_transactional_again_in_the_pool(
    client: object, database: Database
) -> None:
    for _ in range(database.write_engine.pool.size() + 1):  # every pooled connection at least once
        unit = UnitOfWork(database, write=True)
        try:
            await _write(unit, alone=True)
        finally:
            await unit.close()
    for _ in range(database.write_engine.pool.size() + 1):
        assert await _undone_by_rollback(database, UnitOfWork(database, write=True))


async def test_what_is_added_after_a_statement_that_committed_alone_is_written_at_commit(
    client: object, database: Database
) -> None:
    unit = UnitOfWork(database, write=True)
    try:
        first = await _write(unit, alone=True)
        now = clock.now()
        unit.session.add(
            Store(id=uuid.uuid4(), external_id="S-added", name="Shop", created_on=now, modified_on=now)
        )
        await unit.commit()
    finally:
        await unit.close()
    assert await _stored(database, first)
    assert await _stored(database, "S-added")


_INSERT_RETURNING = (
    "INSERT INTO stores (id, external_id, name, type, created_on, modified_on) "
    "VALUES ($1, $2, $3, 'Physical', now(), now()) RETURNING external_id"
)


@pytest.mark.postgres_only  # the statement is PostgreSQL's; SQLite never commits alone
async def test_a_whole_write_fetched_alone_commits_by_itself_and_answers_its_row(
    client: object, database: Database, backend: str
) -> None:
    unit = UnitOfWork(database, write=True)
    try:
        row = await fetch_first_idempotent(
            unit.session, _INSERT_RETURNING, [uuid.uuid4(), "S-fetched", "Shop"], whole_write=True
        )
        assert row is not None and row["external_id"] == "S-fetched"
        assert await _stored(database, "S-fetched")  # before the unit commits
    finally:
        await unit.close()


@pytest.mark.postgres_only  # SQLite stores NUL characters
async def test_a_refused_value_fails_a_lone_statement_as_it_fails_any_other(
    client: object, database: Database, backend: str
) -> None:
    for whole_write in (True, False):
        unit = UnitOfWork(database, write=True)
        try:
            with pytest.raises(DBAPIError) as refused:
                await fetch_first_idempotent(
                    unit.session,
                    _INSERT_RETURNING,
                    [uuid.uuid4(), "S-nul", "Sh\x00op"],
                    whole_write=whole_write,
                )
            assert is_bad_data(refused.value)
        finally:
            await unit.rollback()
            await unit.close()
    assert not await _stored(database, "S-nul")
    # The pool's connections are fine afterwards.
    unit = UnitOfWork(database, write=True)
    try:
        assert await fetch_first_idempotent(
            unit.session, _INSERT_RETURNING, [uuid.uuid4(), "S-after", "Shop"], whole_write=True
        )
    finally:
        await unit.close()
