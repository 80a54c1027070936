"""Every hand-written statement, rendered to `tests/sql/` so a diff shows the SQL that runs.

The statements are built from Python fragments (one array per column, shared CTEs); reading
the fragments is not reading the SQL. This test writes each statement, laid out one clause a
line, to its own file, and fails when a file was stale: run it, look at the diff, commit the
files with the change that made them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy.sql.elements import TextClause

from patron.challenges import statements as challenge_statements
from patron.contacts import repository as contacts
from patron.db import locking
from patron.receipts import repository as receipts

RENDERED = Path(__file__).parents[1] / "sql"

# A clause starts a line, indented by how deep in brackets it stands.
_CLAUSE = re.compile(
    r"(?:(?<= )|(?<=\())(?=(?:WITH(?! ORDINALITY)|SELECT|FROM|WHERE|UNION ALL|RETURNING|ON CONFLICT|CROSS JOIN|LEFT JOIN|JOIN|"
    r"ORDER BY|GROUP BY|INSERT INTO|UPDATE|DELETE FROM|SET|USING|LIMIT|OFFSET)\b)"
)


def layout(sql: str) -> str:
    """One clause a line, indented by its depth in brackets."""
    breaks = {match.start() for match in _CLAUSE.finditer(sql)} - {0}
    lines, depth, start, indent = [], 0, 0, 0
    for position, char in enumerate(sql):
        if position in breaks:
            lines.append("  " * indent + sql[start:position].strip())
            start, indent = position, depth
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
    lines.append("  " * indent + sql[start:].strip())
    return "\n".join(line for line in lines if line.strip()) + "\n"


def _statements() -> dict[str, str]:
    found: dict[str, str] = {}
    for module, prefix in (
        (challenge_statements, "challenges"),
        (locking, "locking"),
        (contacts, "contacts"),
    ):
        for name, value in vars(module).items():
            if isinstance(value, TextClause):
                found[f"{prefix}/{name.strip('_').lower()}.sql"] = value.text
            elif hasattr(value, "element") and isinstance(getattr(value, "element", None), TextClause):
                found[f"{prefix}/{name.strip('_').lower()}.sql"] = value.element.text
    # One statement per unique key, alike but for the contact's column: the id (cast from
    # text) and e-mail show both forms.
    for column in ("id", "email"):
        sql, names = receipts._STORE[column]
        found[f"receipts/store_by_{column}.sql"] = f"-- parameters: {', '.join(names)}\n{sql}"
    return found


def test_every_hand_written_statement_is_rendered_as_it_runs() -> None:
    rendered = {path: layout(sql) for path, sql in _statements().items()}
    assert len(rendered) >= 13, sorted(rendered)
    stale = []
    for path, sql in rendered.items():
        target = RENDERED / path
        if not target.exists() or target.read_text() != sql:
            stale.append(path)
            if not os.environ.get("CI"):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(sql)
    left_over = sorted(
        str(path.relative_to(RENDERED))
        for path in RENDERED.rglob("*.sql")
        if str(path.relative_to(RENDERED)) not in rendered
    )
    if not os.environ.get("CI"):
        for path in left_over:
            (RENDERED / path).unlink()
    assert (stale, left_over) == ([], []), (
        "rendered SQL was stale and is rewritten: review and commit tests/sql/"
    )


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT a FROM t WHERE b", "SELECT a\nFROM t\nWHERE b\n"),
        (
            "WITH x AS (SELECT 1 FROM t) SELECT * FROM x",
            "WITH x AS (\n  SELECT 1\n  FROM t)\nSELECT *\nFROM x\n",
        ),
    ],
)
def test_layout_puts_each_clause_on_a_line_indented_by_depth(sql: str, expected: str) -> None:
    assert layout(sql) == expected
