"""PostgreSQL: many rows in one statement, one array parameter per column (`unnest`).

A statement that takes a batch as one array per column has the same text for every batch, so
it is prepared once per connection; an executemany would bind every row's parameters in
Python. Each array is sent in its column's type as the model declares it, so a statement and
its table cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, FromClause, Integer, Numeric, TypeDecorator, Uuid
from sqlalchemy.types import TypeEngine

# Sent as text and cast: the driver would take a tid's pair of numbers for a dimension.
_SENT_AS_TEXT = frozenset({"tid"})

# Parameter names: `:prefix_name` for a statement SQLAlchemy compiles, `$n` for one sent as is.
Parameter = Callable[[str], str]


def element_type(kind: TypeEngine[Any]) -> str:
    """The PostgreSQL type a column's array is sent in. Strings and JSON travel as text: a cast
    to `varchar(n)` would cut a long value short instead of refusing it."""
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Uuid):
        return "uuid"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, BigInteger):
        return "bigint"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, DateTime):
        return "timestamptz"
    if isinstance(kind, Numeric):
        return "numeric"
    return "text"


def element_types(table: FromClause, **others: str) -> Mapping[str, str]:
    """Each column's array type, and the types of `others`: arrays that are not columns."""
    return MappingProxyType({**{column.name: element_type(column.type) for column in table.c}, **others})


def named(prefix: str = "") -> Parameter:
    """`:prefix_name` parameters."""
    return lambda name: f":{prefix}{name}"


def array(parameter: str, kind: str) -> str:
    """The parameter as an array of `kind`."""
    if kind in _SENT_AS_TEXT:
        return f"CAST(CAST({parameter} AS text[]) AS {kind}[])"
    return f"CAST({parameter} AS {kind}[])"


def unnest(
    types: Mapping[str, str],
    columns: Sequence[str],
    parameter: Parameter,
    *,
    alias: str = "t",
    numbered: bool = True,
) -> str:
    """A FROM item of one row per array position; `numbered`, with its position as `n`."""
    arrays = ", ".join(array(parameter(name), types[name]) for name in columns)
    if not numbered:
        return f"unnest({arrays}) AS {alias}({', '.join(columns)})"
    return f"unnest({arrays}) WITH ORDINALITY AS {alias}({', '.join(columns)}, n)"


def insert_unnest(table: str, types: Mapping[str, str], columns: Sequence[str], prefix: str = "") -> str:
    """Many rows inserted from their arrays (`:prefix_column`), in the arrays' order."""
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {unnest(types, columns, named(prefix))} ORDER BY n"


def arrays_of(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], prefix: str = ""
) -> dict[str, list[Any]]:
    """The parameters for `unnest`: one list per column, the rows in order."""
    return {prefix + name: [row[name] for row in rows] for name in columns}
