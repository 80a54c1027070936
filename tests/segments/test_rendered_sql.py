"""The SQL the documented example segments compile to, rendered to `tests/segments/sql/` for
both databases so a diff shows what a change to the compiler does to the statements that run.
Run it, look at the diff, commit the files with the change that made them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from patron.segments.grammar import read_rule
from patron.segments.sql import Compiler
from tests.db.test_statements_rendered import layout

RENDERED = Path(__file__).parent / "sql"
AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
EXAMPLES: dict[str, dict[str, Any]] = {
    "dog_food_90_days": {
        "field": "purchases",
        "op": "exists",
        "where": {"groups": ["Dog food"], "withinDays": 90},
    },
    "lapsed": {
        "and": [
            {"field": "purchases.last", "op": "notWithinDays", "value": 180},
            {"field": "preferences.acceptsEmail", "op": "eq", "value": True},
        ]
    },
    "gold_members": {
        "and": [
            {"field": "contactType", "op": "eq", "value": "Member"},
            {
                "or": [
                    {"field": "points.balance", "op": "gte", "value": 1000, "definitionId": 1},
                    {
                        "field": "purchases.amount",
                        "op": "gt",
                        "value": 10000,
                        "where": {"fromDate": "2026-01-01"},
                    },
                ]
            },
        ]
    },
    "newsletter_in_malmo": {
        "and": [
            {"field": "consents.newsletter", "op": "eq", "value": True},
            {"field": "city", "op": "eq", "value": "Malmö"},
        ]
    },
}
DIALECTS = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}


def rendered() -> dict[str, str]:
    found = {}
    for name, raw in EXAMPLES.items():
        rule = read_rule(raw, frozenset())
        for dialect, compiler_dialect in DIALECTS.items():
            members = Compiler(dialect, AT, ZoneInfo("Europe/Stockholm")).members(rule)
            counted = select(func.count()).select_from(members.subquery())
            sql = str(counted.compile(dialect=compiler_dialect, compile_kwargs={"literal_binds": True}))
            found[f"{name}.{dialect}.sql"] = layout(" ".join(sql.split()))
    return found


def test_the_example_segments_compile_to_the_rendered_sql() -> None:
    stale = []
    for path, sql in rendered().items():
        target = RENDERED / path
        if not target.exists() or target.read_text() != sql:
            stale.append(path)
            if not os.environ.get("CI"):
                RENDERED.mkdir(exist_ok=True)
                target.write_text(sql)
    assert stale == [], "rendered SQL was stale and is rewritten: review and commit tests/segments/sql/"
