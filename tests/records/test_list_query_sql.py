"""The list query compiled to SQL and run on both databases over stored challenge definitions:
every operator, groups, sorting with ties and NULLs, paging, counts, `contains` with `%` and
`_`, instants with offsets, numbers finer than a column holds, and index lookups."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select, text

from patron.db.engine import Database
from patron.models import ChallengeDefinition
from patron.records.query import parse_list_query
from patron.records.query_sql import count_statement, filtered, page_statement
from tests.records.list_fields import CREATED, FIELDS, definition, store


async def names(database: Database, **query: str) -> list[str]:
    listing = parse_list_query(query, FIELDS)
    async with database.read_sessions() as session:
        found = await session.execute(page_statement(select(ChallengeDefinition), listing, FIELDS))
        return [row.name for row in found.scalars()]


async def matching(database: Database, tree: Any) -> set[str]:
    return set(await names(database, filters=json.dumps(tree), limit="1000"))


async def counted(database: Database, **query: str) -> int:
    listing = parse_list_query(query, FIELDS)
    async with database.read_sessions() as session:
        return int(
            (
                await session.execute(count_statement(select(ChallengeDefinition), listing, FIELDS))
            ).scalar_one()
        )


def where(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


async def five(database: Database) -> None:
    async with database.write_sessions() as session:
        await store(
            session,
            definition("a", required_checkpoints=1, assign_on_amount=Decimal("0.5"), description="Spring"),
            definition(
                "b", required_checkpoints=2, assign_on_amount=Decimal("1.0001"), consent_required=True
            ),
            definition(
                "c", required_checkpoints=3, assign_on_amount=Decimal("1"), time_zone="Europe/Stockholm"
            ),
            definition("d", required_checkpoints=4, expiration_months=12, description="Autumn"),
            definition("e", required_checkpoints=5, expiration_months=6, time_zone="America/New_York"),
        )


async def test_each_comparison_operator_on_numbers(client: httpx.AsyncClient, database: Database) -> None:
    await five(database)
    assert await matching(database, where("requiredCheckpoints", "eq", 3)) == {"c"}
    assert await matching(database, where("requiredCheckpoints", "neq", 3)) == {"a", "b", "d", "e"}
    assert await matching(database, where("requiredCheckpoints", "lt", 3)) == {"a", "b"}
    assert await matching(database, where("requiredCheckpoints", "lte", 3)) == {"a", "b", "c"}
    assert await matching(database, where("requiredCheckpoints", "gt", 3)) == {"d", "e"}
    assert await matching(database, where("requiredCheckpoints", "gte", 3)) == {"c", "d", "e"}
    assert await matching(database, where("requiredCheckpoints", "in", [1, 5, 9])) == {"a", "e"}
    assert await matching(database, where("assignOnAmount", "gte", "1.0001")) == {"b"}


async def test_a_missing_value_matches_only_neq(client: httpx.AsyncClient, database: Database) -> None:
    await five(database)
    assert await matching(database, where("expirationMonths", "neq", 12)) == {"a", "b", "c", "e"}
    assert await matching(database, where("expirationMonths", "lt", 100)) == {"d", "e"}
    assert await matching(database, where("description", "neq", "Spring")) == {"b", "c", "d", "e"}
    assert await matching(database, where("description", "contains", "")) == {"a", "d"}
    assert await matching(database, where("scheduledFrom", "lt", "9999-01-01T00:00:00Z")) == set()


async def test_numbers_finer_than_the_column_holds_compare_exactly(
    client: httpx.AsyncClient, database: Database
) -> None:
    """SQLite holds money as integers of 1/10 000; 1.00005 must not round to 1.0001 or 1.0000."""
    await five(database)
    assert await matching(database, where("assignOnAmount", "gt", 1.00005)) == {"b"}
    assert await matching(database, where("assignOnAmount", "gte", 1.00005)) == {"b"}
    assert await matching(database, where("assignOnAmount", "lt", 1.00005)) == {"a", "c"}
    assert await matching(database, where("assignOnAmount", "lte", 1.00005)) == {"a", "c"}
    assert await matching(database, where("assignOnAmount", "eq", 1.00005)) == set()
    assert await matching(database, where("assignOnAmount", "neq", 1.00005)) == {"a", "b", "c", "d", "e"}
    assert await matching(database, where("assignOnAmount", "in", [1.00005, 0.5])) == {"a"}
    assert await matching(database, where("requiredCheckpoints", "gt", 2.5)) == {"c", "d", "e"}
    assert await matching(database, where("requiredCheckpoints", "lte", 2.5)) == {"a", "b"}
    assert await matching(database, where("requiredCheckpoints", "in", [2.5])) == set()
    assert await matching(database, where("requiredCheckpoints", "lt", 2147483647)) == {
        "a",
        "b",
        "c",
        "d",
        "e",
    }
    assert await matching(database, where("assignOnAmount", "gt", "-99999999999999.9999")) == {"a", "b", "c"}


async def test_flags_choices_and_ids(client: httpx.AsyncClient, database: Database) -> None:
    await five(database)
    assert await matching(database, where("consentRequired", "eq", True)) == {"b"}
    assert await matching(database, where("consentRequired", "neq", True)) == {"a", "c", "d", "e"}
    assert await matching(database, where("consentRequired", "in", [True, False])) == {
        "a",
        "b",
        "c",
        "d",
        "e",
    }
    assert await matching(database, where("timeZone", "eq", "Europe/Stockholm")) == {"c"}
    assert await matching(database, where("timeZone", "in", ["America/New_York", "UTC"])) == {
        "a",
        "b",
        "d",
        "e",
    }
    async with database.read_sessions() as session:
        ids = dict((await session.execute(select(ChallengeDefinition.name, ChallengeDefinition.id))).all())
    assert await matching(database, where("id", "eq", str(ids["c"]))) == {"c"}
    assert await matching(database, where("id", "in", [str(ids["a"]), str(ids["e"]).upper()])) == {"a", "e"}
    assert await matching(database, where("id", "neq", str(ids["a"]))) == {"b", "c", "d", "e"}


async def test_groups_combine_with_and_and_or_nested(client: httpx.AsyncClient, database: Database) -> None:
    await five(database)
    either = {"or": [where("requiredCheckpoints", "lt", 2), where("timeZone", "eq", "America/New_York")]}
    assert await matching(database, either) == {"a", "e"}
    both = {"and": [where("requiredCheckpoints", "gt", 1), where("assignOnAmount", "gte", 1)]}
    assert await matching(database, both) == {"b", "c"}
    nested = {
        "or": [both, {"and": [where("expirationMonths", "gte", 6), {"or": [where("name", "eq", "e")]}]}]
    }
    assert await matching(database, nested) == {"b", "c", "e"}
    assert await matching(database, {"and": []}) == {"a", "b", "c", "d", "e"}
    assert await matching(database, {"or": []}) == set()
    assert await matching(database, {"and": [either, {"or": []}]}) == set()


async def test_contains_is_a_case_insensitive_substring_with_percent_and_underscore_literal(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.write_sessions() as session:
        await store(
            session,
            *(
                definition(name)
                for name in ("50% OFF", "50 off", "a_b", "axb", "back\\slash", "backslash", "Åsa", "asa")
            ),
        )
    assert await matching(database, where("name", "contains", "%")) == {"50% OFF"}
    assert await matching(database, where("name", "contains", "0% o")) == {"50% OFF"}
    assert await matching(database, where("name", "contains", "Off")) == {"50% OFF", "50 off"}
    assert await matching(database, where("name", "contains", "_")) == {"a_b"}
    assert await matching(database, where("name", "contains", "A_B")) == {"a_b"}
    assert await matching(database, where("name", "contains", "\\")) == {"back\\slash"}
    assert await matching(database, where("name", "contains", "k\\s")) == {"back\\slash"}
    # Case is ignored for A-Z only, alike on both databases (PostgreSQL alone would fold Å).
    assert await matching(database, where("name", "contains", "SA")) == {"Åsa", "asa"}
    assert await matching(database, where("name", "contains", "åsa")) == set()
    assert await matching(database, where("name", "contains", "Ås")) == {"Åsa"}


async def test_text_compares_and_sorts_by_code_point(client: httpx.AsyncClient, database: Database) -> None:
    async with database.write_sessions() as session:
        await store(
            session, *(definition(name) for name in ("apple", "Banana", "cherry", "Äpple", "2026-W05"))
        )
    ascending = '[{"fieldSlug": "name"}]'
    assert await names(database, sortBy=ascending) == ["2026-W05", "Banana", "apple", "cherry", "Äpple"]
    assert await matching(database, where("name", "lt", "a")) == {"2026-W05", "Banana"}
    assert await matching(database, where("name", "gte", "b")) == {"cherry", "Äpple"}
    assert await matching(database, where("name", "lte", "2026-W05")) == {"2026-W05"}
    assert await matching(database, where("name", "gt", "Banana")) == {"apple", "cherry", "Äpple"}


async def test_instants_compare_as_instants_whatever_the_offset(
    client: httpx.AsyncClient, database: Database
) -> None:
    nine = datetime(2026, 3, 1, 9, tzinfo=UTC)
    async with database.write_sessions() as session:
        await store(
            session,
            definition("nine", scheduled_from=nine),
            definition("nine and a microsecond", scheduled_from=nine + timedelta(microseconds=1)),
            definition("ten", scheduled_from=nine + timedelta(hours=1)),
            definition("unscheduled"),
        )
    assert await matching(database, where("scheduledFrom", "eq", "2026-03-01T10:00:00+01:00")) == {"nine"}
    assert await matching(database, where("scheduledFrom", "eq", "2026-03-01T04:00:00-05:00")) == {"nine"}
    assert await matching(database, where("scheduledFrom", "lt", "2026-03-01T10:00:00.000001+01:00")) == {
        "nine"
    }
    assert await matching(database, where("scheduledFrom", "gt", "2026-03-01T09:30:00-01:00")) == set()
    assert await matching(database, where("scheduledFrom", "gte", "2026-03-01T09:30:00+00:30")) == {
        "nine",
        "nine and a microsecond",
        "ten",
    }
    assert await matching(database, where("scheduledFrom", "gt", "2026-03-01T09:30:00+00:30")) == {
        "nine and a microsecond",
        "ten",
    }
    epoch_ten = int((nine + timedelta(hours=1)).timestamp())
    assert await matching(database, where("scheduledFrom", "gte", epoch_ten)) == {"ten"}
    assert await matching(database, where("scheduledFrom", "lte", "2026-03-01T09:00:00.000001Z")) == {
        "nine",
        "nine and a microsecond",
    }
    assert await matching(database, where("scheduledFrom", "in", [epoch_ten, "2026-03-01T09:00:00Z"])) == {
        "nine",
        "ten",
    }


async def test_sort_keys_then_the_default_then_the_id_settle_every_tie(
    client: httpx.AsyncClient, database: Database
) -> None:
    rows = [
        definition(f"r{i}", required_checkpoints=i % 3, created_on=CREATED + timedelta(minutes=i % 2))
        for i in range(12)
    ]
    async with database.write_sessions() as session:
        await store(session, *rows)
    expected = [
        row.name
        for row in sorted(
            rows, key=lambda row: (-row.required_checkpoints, -row.created_on.timestamp(), row.id)
        )
    ]
    by_checkpoints = '[{"fieldSlug": "requiredCheckpoints", "order": "DESC"}]'
    assert await names(database, sortBy=by_checkpoints, limit="100") == expected
    pages = [
        await names(database, sortBy=by_checkpoints, offset=str(offset), limit="5") for offset in (0, 5, 10)
    ]
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [name for page in pages for name in page] == expected
    default = sorted(rows, key=lambda row: (-row.created_on.timestamp(), row.id))
    assert await names(database, limit="100") == [row.name for row in default]


async def test_missing_values_sort_last_ascending_and_first_descending(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.write_sessions() as session:
        await store(
            session,
            definition("one", expiration_months=1),
            definition("none"),
            definition("two", expiration_months=2),
        )
    assert await names(database, sortBy='[{"fieldSlug": "expirationMonths"}]') == ["one", "two", "none"]
    assert await names(database, sortBy='[{"fieldSlug": "expirationMonths", "order": "DESC"}]') == [
        "none",
        "two",
        "one",
    ]


async def test_the_count_is_of_every_matching_record_whatever_the_page(
    client: httpx.AsyncClient, database: Database
) -> None:
    await five(database)
    assert await counted(database) == 5
    low = json.dumps(where("requiredCheckpoints", "lte", 4))
    assert await counted(database, filters=low, offset="3", limit="1") == 4
    assert await names(database, filters=low, offset="3", limit="1", sortBy='[{"fieldSlug": "name"}]') == [
        "d"
    ]
    assert await counted(database, filters=json.dumps({"or": []})) == 0
    assert await names(database, offset="5") == []


async def test_a_filter_on_an_indexed_column_is_an_index_lookup(
    client: httpx.AsyncClient, database: Database
) -> None:
    await five(database)
    listing = parse_list_query(
        {
            "filters": json.dumps(
                {"and": [where("requiredCheckpoints", "gt", 0), where("name", "contains", "x")]}
            )
        },
        FIELDS,
    )
    one = parse_list_query({"filters": json.dumps(where("id", "in", [str(uuid.uuid4())]))}, FIELDS)
    async with database.read_sessions() as session:
        for chosen, index in ((listing, None), (one, "pk_challenge_definitions")):
            stmt = filtered(select(ChallengeDefinition.id), chosen, FIELDS)
            compiled = stmt.compile(dialect=session.bind.dialect, compile_kwargs={"literal_binds": True})
            if database.is_sqlite:
                plan = " ".join(
                    str(row[-1]) for row in await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
                )
                assert ("SEARCH" in plan) == (index is not None), plan
            else:
                await session.execute(text("SET LOCAL enable_seqscan = off"))
                plan = " ".join(str(row[0]) for row in await session.execute(text(f"EXPLAIN {compiled}")))
                assert (index is not None and index in plan) or (index is None and "Seq Scan" in plan), plan
