"""Random filter trees, sorts and pages run as SQL on both databases against the same trees
evaluated in plain Python over the same stored rows: the two must always agree.

The rows are chosen to make the SQL work: NULLs, ties, text with `%`, `_`, `\\` and letters
outside A-Z, money at the column's finest step, instants a microsecond apart. The values
filtered for come from near those rows, often finer than the column holds.
PATRON_PROPERTY_EXAMPLES sets the examples; the seed is fixed, and PATRON_FUZZ_SEED moves it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select

from patron.db.engine import Database
from patron.models import ChallengeDefinition
from patron.records.fields import FieldKind, Order, SortKey
from patron.records.filters import OPERATORS_OF, AllOf, AnyOf, Condition, Filter, Operator, read_filters
from patron.records.query import ListQuery
from patron.records.query_sql import filtered, page_statement
from tests.records.list_fields import ATTRIBUTES, CREATED, FIELDS, ZONES, definition, store

EXAMPLES = int(os.environ.get("PATRON_PROPERTY_EXAMPLES", "150"))
SEED = int(os.environ.get("PATRON_FUZZ_SEED", "20260"))

TEXTS = (
    "",
    "a",
    "A",
    "ab",
    "aB",
    "a_b",
    "a%b",
    "axb",
    "%",
    "_",
    "\\",
    "a\\b",
    "Åsa",
    "åsa",
    "ÅSA",
    "b",
    " a",
)
AMOUNTS = (Decimal("0"), Decimal("0.0001"), Decimal("0.5"), Decimal("1"), Decimal("1.0001"), Decimal("-1"))
BASE = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
INSTANTS = (BASE, BASE + timedelta(microseconds=1), BASE + timedelta(hours=1), BASE - timedelta(days=1))

Row = Mapping[str, Any]


def stored_rows() -> list[ChallengeDefinition]:
    rows = []
    for i in range(36):
        rows.append(
            definition(
                TEXTS[i % len(TEXTS)],
                description=None if i % 4 == 0 else TEXTS[(i * 5) % len(TEXTS)],
                required_checkpoints=i % 5 - 2,
                expiration_months=None if i % 3 == 0 else i % 4,
                assign_on_amount=None if i % 7 == 0 else AMOUNTS[i % len(AMOUNTS)],
                consent_required=i % 2 == 0,
                time_zone=sorted(ZONES)[i % 3],
                scheduled_from=None if i % 5 == 0 else INSTANTS[i % len(INSTANTS)],
                created_on=CREATED + timedelta(minutes=i % 4),
            )
        )
    return rows


def ascii_folded(text: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def comparable(value: Any) -> Any:
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value


def holds(tree: Filter, row: Row) -> bool:
    """What the tree means, said in Python: NULL matches only `neq`."""
    if isinstance(tree, AllOf):
        return all(holds(part, row) for part in tree.parts)
    if isinstance(tree, AnyOf):
        return any(holds(part, row) for part in tree.parts)
    held = comparable(row[tree.field])
    value = tree.value
    if tree.op is Operator.NEQ:
        return held is None or held != value
    if held is None:
        return False
    if tree.op is Operator.EQ:
        return bool(held == value)
    if tree.op is Operator.IN:
        return held in tree.values
    if tree.op is Operator.CONTAINS:
        return ascii_folded(value) in ascii_folded(held)
    if tree.op is Operator.LT:
        return bool(held < value)
    if tree.op is Operator.LTE:
        return bool(held <= value)
    if tree.op is Operator.GT:
        return bool(held > value)
    return bool(held >= value)


def leaves(tree: Filter) -> list[Condition]:
    if isinstance(tree, Condition):
        return []  # the tree itself
    return [leaf for part in tree.parts for leaf in ([part] if isinstance(part, Condition) else leaves(part))]


def _compare(keys: list[SortKey], one: Row, other: Row) -> int:
    """NULL after every value, DESC reversing both; then the id."""
    for key in keys:
        a, b = one[key.field], other[key.field]
        if a == b:
            continue
        # NULL sorts as if greater than any value.
        order = 1 if a is None else -1 if b is None else 1 if a > b else -1
        return -order if key.order is Order.DESC else order
    return 1 if one["id"] > other["id"] else -1


def in_python(rows: list[Row], query: ListQuery) -> list[uuid.UUID]:
    kept = [row for row in rows if query.filters is None or holds(query.filters, row)]
    asked = {key.field for key in query.sort}
    keys = [*query.sort, *(key for key in FIELDS.default_sort if key.field not in asked)]
    ordered = sorted(kept, key=functools.cmp_to_key(lambda a, b: _compare(keys, a, b)))
    return [row["id"] for row in ordered][query.offset : query.offset + query.limit]


def _offset(draw: st.DrawFn) -> timezone:
    return timezone(timedelta(minutes=draw(st.integers(-14 * 60, 14 * 60))))


@st.composite
def instants(draw: st.DrawFn) -> Any:
    moment = draw(st.sampled_from(INSTANTS)) + timedelta(
        microseconds=draw(st.sampled_from([-1, 0, 1, 1800 * 10**6]))
    )
    if draw(st.booleans()):
        return Decimal(int((moment - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))).scaleb(
            -6
        )
    return moment.astimezone(_offset(draw)).isoformat()


def numbers(field: str) -> st.SearchStrategy[Any]:
    near = st.sampled_from(AMOUNTS).flatmap(
        lambda amount: st.sampled_from([amount, amount + Decimal("0.00005"), amount - Decimal("0.00005")])
    )
    whole = st.integers(-4, 4)
    halves = st.integers(-8, 8).map(lambda n: Decimal(n) / 2)
    return (
        st.one_of(near, whole, halves, whole.map(str))
        if field == "assignOnAmount"
        else st.one_of(whole, halves)
    )


def values(field: str, ids: list[uuid.UUID]) -> st.SearchStrategy[Any]:
    kind = FIELDS[field].kind
    if kind is FieldKind.TEXT:
        return st.one_of(st.sampled_from(TEXTS), st.text(alphabet="aAbB_%\\ Åå", max_size=3))
    if kind is FieldKind.NUMBER:
        return numbers(field)
    if kind is FieldKind.INSTANT:
        return instants()
    if kind is FieldKind.CHOICE:
        return st.sampled_from(sorted(ZONES))
    if kind is FieldKind.ID:
        return st.one_of(st.sampled_from(ids), st.uuids()).map(str)
    return st.booleans()


def conditions(ids: list[uuid.UUID]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def one(draw: st.DrawFn) -> dict[str, Any]:
        field = draw(st.sampled_from(sorted(FIELDS)))
        op = draw(st.sampled_from(sorted(OPERATORS_OF[FIELDS[field].kind])))
        value = values(field, ids)
        chosen = draw(st.lists(value, min_size=1, max_size=4)) if op == "in" else draw(value)
        return {"field": field, "op": op, "value": chosen}

    return one()


def trees(ids: list[uuid.UUID]) -> st.SearchStrategy[Any]:
    return st.recursive(
        conditions(ids),
        lambda parts: st.one_of(
            st.lists(parts, max_size=4).map(lambda group: {"and": group}),
            st.lists(parts, max_size=4).map(lambda group: {"or": group}),
        ),
        max_leaves=8,
    )


def sorts() -> st.SearchStrategy[tuple[SortKey, ...]]:
    key = st.builds(SortKey, st.sampled_from(sorted(FIELDS)), st.sampled_from(list(Order)))
    return st.lists(key, max_size=3, unique_by=lambda key: key.field).map(tuple)


def _run_in(loop: asyncio.AbstractEventLoop) -> Callable[[Awaitable[Any]], Any]:
    def run(work: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(work, loop).result()  # type: ignore[arg-type]

    return run


async def test_sql_answers_every_filter_sort_and_page_as_python_does(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.write_sessions() as session:
        await store(session, *stored_rows())
    async with database.read_sessions() as session:
        # As stored: money rounded to its column, instants back in UTC.
        found = (await session.execute(select(ChallengeDefinition))).scalars().all()
        rows = [{field: getattr(row, attribute) for field, attribute in ATTRIBUTES.items()} for row in found]
    ids = [row["id"] for row in rows]
    run = _run_in(asyncio.get_running_loop())

    async def matched(query: ListQuery) -> set[uuid.UUID]:
        async with database.read_sessions() as session:
            stmt = filtered(select(ChallengeDefinition.id), query, FIELDS)
            return set((await session.execute(stmt)).scalars())

    async def paged(query: ListQuery) -> list[uuid.UUID]:
        async with database.read_sessions() as session:
            stmt = page_statement(select(ChallengeDefinition.id), query, FIELDS)
            return list((await session.execute(stmt)).scalars())

    @seed(SEED)
    @given(tree=trees(ids), sort=sorts(), offset=st.integers(0, 40), limit=st.integers(1, 40))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def agree(tree: Any, sort: tuple[SortKey, ...], offset: int, limit: int) -> None:
        query = ListQuery(filters=read_filters(tree, FIELDS), sort=sort, offset=offset, limit=limit)
        assert query.filters is not None
        # Each condition alone too: in a group, one condition's mistake is easily masked.
        for part in (query.filters, *leaves(query.filters)):
            expected = {row["id"] for row in rows if holds(part, row)}
            assert run(matched(ListQuery(filters=part))) == expected, part
        assert run(paged(query)) == in_python(rows, query), (tree, sort)

    # In a thread, so this event loop stays free to run the queries.
    await asyncio.to_thread(agree)
