"""PostgreSQL at 10^6 progress rows: a challenge_progress list filtered on `ownedById` or on
`challengeId`, and an end user's own list, are index lookups. The statements are the ones the
API runs (`reads.progress_rows` under the list query's `page_statement`); a plan that reads the
whole table instead would make every member's progress page cost more the more members there
are."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import Select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from patron.db import migrate
from patron.records import reads
from patron.records.query import parse_list_query
from patron.records.query_sql import page_statement
from patron.records.reads import PROGRESS_FIELDS, Viewer
from patron.records.schemas import Kind

pytestmark = pytest.mark.postgres_only

ROWS = 1_000_000
DEFINITIONS = 50


@pytest.fixture
async def progress(fresh_postgres_url: str) -> AsyncIterator[tuple[AsyncConnection, uuid.UUID, uuid.UUID]]:
    """10^6 challenge progress rows over 50 definitions and 10^6 / 3 members, analysed; one
    member and one definition that have rows."""
    await asyncio.to_thread(migrate.upgrade, fresh_postgres_url)
    engine = create_async_engine(fresh_postgres_url)
    async with engine.connect() as connection:
        # The rows' members and definitions are not what is measured: no foreign-key checks.
        await connection.execute(text("SET session_replication_role = replica"))
        await connection.execute(
            text(
                "INSERT INTO record_progress (contact_id, definition_id, period_key, id, kind, value, status, "
                "started_at, period_start, period_end, zone, period_value, run, modified_on) "
                "SELECT md5('member' || (n / 3))::uuid, md5('definition' || (n % :definitions))::uuid, "
                "'2026-' || lpad((n % 3 + 1)::text, 2, '0'), gen_random_uuid(), 'challenge', n % 500, "
                "'in_progress', now(), now(), now() + interval '1 month', 'UTC', 0, 0, now() "
                "FROM generate_series(1, :rows) AS n"
            ),
            {"rows": ROWS, "definitions": DEFINITIONS},
        )
        await connection.commit()
        await connection.execute(text("ANALYZE record_progress"))
        member = (await connection.execute(text("SELECT md5('member' || 1234)::uuid"))).scalar_one()
        definition = (await connection.execute(text("SELECT md5('definition' || 7)::uuid"))).scalar_one()
        yield connection, member, definition
    await engine.dispose()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _plan(connection: AsyncConnection, statement: Select[Any]) -> dict[str, Any]:
    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    plan = (await connection.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"))).scalar_one()
    return dict(plan[0]["Plan"])


def _listed(viewer: Viewer, **query: Any) -> Select[Any]:
    fields = PROGRESS_FIELDS[Kind.CHALLENGE]
    listing = parse_list_query({name: json.dumps(value) for name, value in query.items()}, fields)
    return page_statement(reads.progress_rows(Kind.CHALLENGE, viewer), listing, fields)


def _scans(plan: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (node["Node Type"], node.get("Index Name", "")) for node in _nodes(plan) if "Relation Name" in node
    ]


async def test_a_filter_on_the_member_or_the_challenge_is_an_index_lookup(
    progress: tuple[AsyncConnection, uuid.UUID, uuid.UUID],
) -> None:
    connection, member, definition = progress
    staff = Viewer(staff=True)
    cases = {
        "ownedById": _listed(staff, filters={"field": "ownedById", "op": "eq", "value": str(member)}),
        "challengeId": _listed(staff, filters={"field": "challengeId", "op": "eq", "value": str(definition)}),
        "challengeId, newest first": _listed(
            staff,
            filters={"field": "challengeId", "op": "eq", "value": str(definition)},
            sortBy=[{"fieldSlug": "currentProgressValue", "order": "DESC"}],
        ),
        "an end user's own": _listed(Viewer(member=member)),
        "both, in a group": _listed(
            staff,
            filters={
                "and": [
                    {"field": "ownedById", "op": "in", "value": [str(member), str(uuid.uuid4())]},
                    {"field": "challengeId", "op": "eq", "value": str(definition)},
                ]
            },
        ),
    }
    for name, statement in cases.items():
        plan = await _plan(connection, statement)
        scans = _scans(plan)
        assert scans, name
        assert all(kind != "Seq Scan" for kind, _ in scans), (name, scans)
        # Estimated rows read stay those of one member or one definition, not the table's.
        assert plan["Total Cost"] < 100_000, (name, plan["Total Cost"], scans)
