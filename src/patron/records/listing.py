"""The list query of every record list (API.md §2): `offset`, `limit` (1 to 1000, default 20),
`fields`, `filters`, `sortBy`, `fetchTotalCount`, `languageCode`.

`filters` is one condition `{"field", "op", "value"}` or `{"and": [...]}` / `{"or": [...]}`,
nested freely up to MAX_DEPTH levels and MAX_CONDITIONS conditions; `in` takes at most
MAX_VALUES values. Every condition compiles to SQL on the column its field names, so a filter
on an indexed column is an index lookup; an unknown field, operator or value type is a 400
naming it. `contains` is a case-insensitive substring match on text fields, `%` and `_` taken
literally.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import ColumnElement, Select, and_, false, func, or_
from sqlalchemy.orm import InstrumentedAttribute

from patron.errors import BadRequest, PatronError
from patron.kit.instants import Instant

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20
MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_VALUES = 1000
OPERATORS = frozenset({"eq", "neq", "lt", "lte", "gt", "gte", "in", "contains"})
_ORDERED = frozenset({"lt", "lte", "gt", "gte"})
_instant: TypeAdapter[datetime] = TypeAdapter(Instant)


class FieldKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    INSTANT = "instant"
    ID = "id"
    CHOICE = "choice"


@dataclass(frozen=True)
class RecordField:
    column: InstrumentedAttribute[Any]
    kind: FieldKind
    choices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class ListQuery:
    offset: int
    limit: int
    fields: tuple[str, ...] | None
    filters: ColumnElement[bool] | None
    sort: tuple[SortKey, ...]
    fetch_total_count: bool
    language_code: str | None


def _refused(field: str, message: str) -> PatronError:
    return BadRequest(message, details=[{"field": field, "message": message}])


def _json(name: str, raw: str | None) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise _refused(name, f"{name} is not JSON: {exc}.") from exc


def _whole(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise _refused(name, f"{name} must be a whole number from {low} to {high}.") from exc
    if not low <= value <= high:
        raise _refused(name, f"{name} must be a whole number from {low} to {high}.")
    return value


def _value(name: str, field: RecordField, value: Any) -> Any:
    wrong = _refused(name, f"{name}: {json.dumps(value)[:100]} is not a {field.kind.value} value.")
    if isinstance(value, bool) or value is None:
        raise wrong
    if field.kind is FieldKind.NUMBER:
        try:
            if isinstance(value, (int, float, str)):
                return Decimal(str(value))
        except InvalidOperation as exc:
            raise wrong from exc
        raise wrong
    if field.kind is FieldKind.INSTANT:
        try:
            return _instant.validate_python(value)
        except ValidationError as exc:
            raise wrong from exc
    if field.kind is FieldKind.ID:
        if not isinstance(value, str):
            raise wrong
        try:
            return uuid.UUID(value)
        except ValueError as exc:
            raise wrong from exc
    if not isinstance(value, str):
        raise wrong
    if field.kind is FieldKind.CHOICE and value not in field.choices:
        raise _refused(name, f"{name} is one of {', '.join(sorted(field.choices))}, not {value!r}.")
    return value


def _condition(node: Mapping[str, Any], fields: Mapping[str, RecordField]) -> ColumnElement[bool]:
    name, op = node.get("field"), node.get("op")
    if not isinstance(name, str) or name not in fields:
        raise _refused("filters", f"filters: unknown field {name!r} (known: {', '.join(sorted(fields))}).")
    if op not in OPERATORS:
        raise _refused(
            "filters", f"filters: unknown operator {op!r} (known: {', '.join(sorted(OPERATORS))})."
        )
    if "value" not in node:
        raise _refused("filters", f"filters: the condition on {name} has no value.")
    field, raw = fields[name], node["value"]
    column = field.column
    if op == "in":
        if not isinstance(raw, list) or not raw or len(raw) > MAX_VALUES:
            raise _refused("filters", f"filters: {name} in takes a list of 1 to {MAX_VALUES} values.")
        return column.in_([_value(name, field, one) for one in raw])
    if op == "contains":
        if field.kind is not FieldKind.TEXT or not isinstance(raw, str):
            raise _refused("filters", f"filters: contains applies to text fields; {name} is not one.")
        escaped = raw.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(column).like(f"%{escaped}%", escape="\\")
    if op in _ORDERED and field.kind is FieldKind.CHOICE:
        raise _refused("filters", f"filters: {op} does not apply to {name}.")
    value = _value(name, field, raw)
    compared: dict[str, ColumnElement[bool]] = {
        "eq": column == value,
        "neq": column != value,
        "lt": column < value,
        "lte": column <= value,
        "gt": column > value,
        "gte": column >= value,
    }
    return compared[op]


def _tree(
    node: Any, fields: Mapping[str, RecordField], depth: int, counted: list[int]
) -> ColumnElement[bool]:
    if depth > MAX_DEPTH:
        raise _refused("filters", f"filters nest at most {MAX_DEPTH} levels.")
    if not isinstance(node, dict):
        raise _refused("filters", "filters: a condition is an object.")
    for joint, combine in (("and", and_), ("or", or_)):
        if joint in node:
            parts = node[joint]
            if not isinstance(parts, list) or len(node) != 1:
                raise _refused(
                    "filters", f"filters: {joint!r} takes a list of conditions, alone in its object."
                )
            if not parts:
                return and_(True) if joint == "and" else false()
            return combine(*(_tree(part, fields, depth + 1, counted) for part in parts))
    counted[0] += 1
    if counted[0] > MAX_CONDITIONS:
        raise _refused("filters", f"filters hold at most {MAX_CONDITIONS} conditions.")
    return _condition(node, fields)


def parse(query: Mapping[str, str], fields: Mapping[str, RecordField]) -> ListQuery:
    chosen = _json("fields", query.get("fields"))
    if chosen is not None and (
        not isinstance(chosen, list) or not all(isinstance(name, str) for name in chosen)
    ):
        raise _refused("fields", "fields is a JSON array of field names.")
    raw_filters = _json("filters", query.get("filters"))
    filters = None if raw_filters is None else _tree(raw_filters, fields, 1, [0])
    raw_sort = _json("sortBy", query.get("sortBy")) or []
    if not isinstance(raw_sort, list):
        raise _refused("sortBy", 'sortBy is a JSON array of {"fieldSlug", "order"}.')
    sort: list[SortKey] = []
    for key in raw_sort:
        if not isinstance(key, dict) or key.get("fieldSlug") not in fields:
            raise _refused(
                "sortBy", f"sortBy: unknown field {key.get('fieldSlug') if isinstance(key, dict) else key!r}."
            )
        order = str(key.get("order", "ASC")).upper()
        if order not in ("ASC", "DESC"):
            raise _refused("sortBy", f"sortBy: order is ASC or DESC, not {key.get('order')!r}.")
        sort.append(SortKey(key["fieldSlug"], order == "DESC"))
    total = (query.get("fetchTotalCount") or "false").lower()
    if total not in ("true", "false", "1", "0"):
        raise _refused("fetchTotalCount", "fetchTotalCount is true or false.")
    return ListQuery(
        offset=_whole("offset", query.get("offset"), 0, 0, 10**9),
        limit=_whole("limit", query.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        fields=None if chosen is None else tuple(chosen),
        filters=filters,
        sort=tuple(sort),
        fetch_total_count=total in ("true", "1"),
        language_code=query.get("languageCode") or None,
    )


def applied(
    stmt: Select[Any], listing: ListQuery, fields: Mapping[str, RecordField], *ties: Any
) -> Select[Any]:
    """The statement filtered and ordered (then by `ties`, so pages never overlap)."""
    if listing.filters is not None:
        stmt = stmt.where(listing.filters)
    order = [
        fields[key.field].column.desc() if key.descending else fields[key.field].column
        for key in listing.sort
    ]
    return stmt.order_by(*order, *ties)


def projected(record: dict[str, Any], listing: ListQuery) -> dict[str, Any]:
    if listing.fields is None:
        return record
    keep = {"id", *listing.fields}
    return {name: value for name, value in record.items() if name in keep}


def envelope(records: list[dict[str, Any]], listing: ListQuery, total: int | None) -> dict[str, Any]:
    paging: dict[str, Any] = {"offset": listing.offset, "limit": listing.limit}
    if total is not None:
        paging["totalCount"] = total
    return {"data": [projected(record, listing) for record in records], "paging": paging}
