"""A `ListQuery` as SQL: its filters as a WHERE on the columns the fields name (so a filter on
an indexed column is an index lookup), its sort, its page, and the count behind `totalCount`.

Both databases answer the same:
- A number is compared on the column's own grid. SQLite keeps money as integers of 1/10 000
  and would round `gt 0.00005` to `gt 0.0001`; rounding the bound the right way first (down
  for `lte`/`gt`, up for `lt`/`gte`) gives the answer exact arithmetic gives, and `eq` a value
  the column cannot hold matches nothing.
- Text (and a choice) sorts, and text compares and `contains` lower-cases, by code point
  (`code_points.py`).
- NULL sorts after every value ascending and before every value descending, as PostgreSQL
  does unasked; `neq` keeps NULL (IS DISTINCT FROM).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, and_, false, func, or_, select, true

from patron.records.code_points import ascii_lower, code_points
from patron.records.fields import FieldKind, Order, RecordField, RecordFields, SortKey, expression_of
from patron.records.filters import AllOf, AnyOf, Condition, Filter, Operator
from patron.records.query import ListQuery
from patron.records.values import Scalar


def _like_pattern(text: str) -> str:
    escaped = ascii_lower(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _on_grid(field: RecordField, value: Decimal, rounding: str | None = None) -> int | Decimal | None:
    """`value` as the column holds it: rounded with `rounding`, or None when it is off the
    grid and not to be rounded. Integer columns take an int (PostgreSQL's driver insists)."""
    places = field.grid.places
    step = Decimal(1).scaleb(-places)
    held = value.quantize(step, rounding=rounding or ROUND_FLOOR)
    if rounding is None and held != value:
        return None
    return int(held) if places == 0 else held


def _number(field: RecordField, op: Operator, values: Sequence[Scalar]) -> ColumnElement[bool]:
    column = field.column
    numbers = [value for value in values if isinstance(value, Decimal)]
    if op is Operator.IN:
        held = [one for one in (_on_grid(field, value) for value in numbers) if one is not None]
        return column.in_(held) if held else false()
    (value,) = numbers
    if op is Operator.LT:
        return column < _on_grid(field, value, ROUND_CEILING)
    if op is Operator.LTE:
        return column <= _on_grid(field, value, ROUND_FLOOR)
    if op is Operator.GT:
        return column > _on_grid(field, value, ROUND_FLOOR)
    if op is Operator.GTE:
        return column >= _on_grid(field, value, ROUND_CEILING)
    exact = _on_grid(field, value)
    if op is Operator.EQ:
        return false() if exact is None else column == exact
    if exact is None:
        return true()
    return column.is_distinct_from(exact) if field.nullable else column != exact


def _condition(condition: Condition, fields: RecordFields) -> ColumnElement[bool]:
    field = fields[condition.field]
    op = condition.op
    if field.kind is FieldKind.NUMBER:
        return _number(field, op, condition.values)
    column = field.column
    value = condition.value
    if op is Operator.IN:
        return column.in_(condition.values)
    if op is Operator.EQ:
        return column == value
    if op is Operator.NEQ:
        return column.is_distinct_from(value) if field.nullable else column != value
    if op is Operator.CONTAINS:
        assert isinstance(value, str)  # filters.py lets contains reach text fields only
        return func.lower(code_points(expression_of(column))).like(_like_pattern(value), escape="\\")
    compared: ColumnElement[Any] = expression_of(column)
    if field.kind is FieldKind.TEXT:
        compared = code_points(compared)
    if op is Operator.LT:
        return compared < value
    if op is Operator.LTE:
        return compared <= value
    if op is Operator.GT:
        return compared > value
    return compared >= value


def where_of(tree: Filter, fields: RecordFields) -> ColumnElement[bool]:
    """The WHERE clause `tree` describes over the columns of `fields`."""
    if isinstance(tree, Condition):
        return _condition(tree, fields)
    parts = [where_of(part, fields) for part in tree.parts]
    if isinstance(tree, AllOf):
        return and_(*parts) if parts else true()
    assert isinstance(tree, AnyOf)
    return or_(*parts) if parts else false()


def _ordering(key: SortKey, fields: RecordFields) -> UnaryExpression[Any]:
    field = fields[key.field]
    sorted_by: ColumnElement[Any] = expression_of(field.column)
    if field.kind in (FieldKind.TEXT, FieldKind.CHOICE):
        sorted_by = code_points(sorted_by)
    if key.order is Order.DESC:
        return sorted_by.desc().nulls_first() if field.nullable else sorted_by.desc()
    return sorted_by.asc().nulls_last() if field.nullable else sorted_by.asc()


def order_of(query: ListQuery, fields: RecordFields) -> list[UnaryExpression[Any]]:
    """The keys asked for, then the resource's default sort, then its tie-breaker."""
    asked = {key.field for key in query.sort}
    keys = [*query.sort, *(key for key in fields.default_sort if key.field not in asked)]
    return [*(_ordering(key, fields) for key in keys), expression_of(fields.tie_breaker).asc()]


def filtered(stmt: Select[Any], query: ListQuery, fields: RecordFields) -> Select[Any]:
    """`stmt` with the query's filters added to what it already selects."""
    return stmt if query.filters is None else stmt.where(where_of(query.filters, fields))


def page_statement(stmt: Select[Any], query: ListQuery, fields: RecordFields) -> Select[Any]:
    """`stmt` filtered, sorted (after any order it already has) and cut to the page asked for."""
    ordered = filtered(stmt, query, fields).order_by(*order_of(query, fields))
    return ordered.offset(query.offset).limit(query.limit)


def count_statement(stmt: Select[Any], query: ListQuery, fields: RecordFields) -> Select[int]:
    """How many records `stmt` selects under the query's filters, whatever the page."""
    counted = filtered(stmt, query, fields).order_by(None).limit(None).offset(None)
    return select(func.count()).select_from(counted.subquery())
