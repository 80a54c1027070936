"""Text compared and lower-cased by code point, the same on both databases.

SQLite compares text byte by byte (BINARY) and lower-cases A-Z only. PostgreSQL follows the
database's collation (`en_US.UTF-8` puts `a` before `B`; its `lower` folds `Å`), so there the
text is read `COLLATE "C"`, which orders by code point and lower-cases A-Z only, as SQLite does.
An index on the column still answers `eq` and `in`, which never pass through here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class code_points(FunctionElement[str]):
    """`text` ordered by code point and lower-cased A-Z only."""

    type = String()
    name = "code_points"
    inherit_cache = True

    def __init__(self, text: ColumnElement[Any]) -> None:
        super().__init__(text)


@compiles(code_points)
def _collated(element: code_points, compiler: SQLCompiler, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'


@compiles(code_points, "sqlite")
def _binary(element: code_points, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


def ascii_lower(text: str) -> str:
    """`text` lower-cased as `lower(code_points(...))` does it in SQL: A-Z only."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")
