"""The list query every record list takes (API.md §2), read from the query string into a
`ListQuery`, or refused with a 400 naming the parameter and what is wrong with it.

| parameter | what | bounds |
|---|---|---|
| `offset` | records to skip | 0 (default) to MAX_OFFSET |
| `limit` | records per page | 1 to MAX_LIMIT, default DEFAULT_LIMIT |
| `fields` | JSON array of the field names to return (`id` always is) | names the resource shows |
| `filters` | JSON condition tree, see `records/filters.py` | depth 8, 100 conditions, 1000 values |
| `sortBy` | JSON array of `{"fieldSlug", "order": "ASC"\\|"DESC"}` | MAX_SORT_KEYS keys, each field once |
| `fetchTotalCount` | `true` to add `paging.totalCount` | true, false, 1, 0 |
| `languageCode` | the language of display fields | a language tag such as `sv-SE` |

The JSON parameters are at most MAX_JSON_CHARS characters each; numbers in them are read
exactly (as decimals), and NaN or Infinity are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from patron.errors import PatronError
from patron.records.bad_query import bad_query
from patron.records.display import language_code
from patron.records.fields import Order, RecordFields, SortKey
from patron.records.filters import Filter, read_filters
from patron.records.values import shown

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_SORT_KEYS = 10
MAX_FIELDS = 200
MAX_JSON_CHARS = 20_000
_WHOLE = re.compile(r"[0-9]{1,10}")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0", ""})
_SORT_KEYS = frozenset({"fieldSlug", "order"})


@dataclass(frozen=True)
class ListQuery:
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    # None: every field; else `id` and these.
    fields: tuple[str, ...] | None = None
    filters: Filter | None = None
    sort: tuple[SortKey, ...] = ()
    fetch_total_count: bool = False
    language_code: str | None = None


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def _json(parameter: str, raw: str | None) -> object:
    if raw is None or raw.strip() == "":
        return None
    if len(raw) > MAX_JSON_CHARS:
        raise bad_query(parameter, f"{parameter} is at most {MAX_JSON_CHARS} characters long.")
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except ValueError as exc:
        raise bad_query(parameter, f"{parameter} is not valid JSON: {exc}.") from None
    except RecursionError:
        raise bad_query(parameter, f"{parameter} nests too deeply.") from None


def _whole(parameter: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    wrong = bad_query(parameter, f"{parameter} is a whole number from {low} to {high}, not {shown(raw)}.")
    if not _WHOLE.fullmatch(raw):
        raise wrong
    value = int(raw)
    if not low <= value <= high:
        raise wrong
    return value


def _fields(raw: object, fields: RecordFields) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise bad_query("fields", f"fields is a JSON array of field names, not {shown(raw)}.")
    if len(raw) > MAX_FIELDS:
        raise bad_query("fields", f"fields names at most {MAX_FIELDS} fields.")
    returnable = fields.returnable
    for name in raw:
        if name not in returnable:
            known = ", ".join(sorted(returnable))
            raise bad_query("fields", f"fields: unknown field {shown(name)} (known: {known}).")
    return tuple(dict.fromkeys(raw))


def _sort_key(raw: object, fields: RecordFields) -> SortKey:
    if not isinstance(raw, dict):
        raise bad_query("sortBy", f'sortBy holds objects {{"fieldSlug", "order"}}, not {shown(raw)}.')
    extra = sorted(set(raw) - _SORT_KEYS)
    if extra:
        raise bad_query(
            "sortBy", f'sortBy: unknown key {extra[0]!r} (a sort key is {{"fieldSlug", "order"}}).'
        )
    name = raw.get("fieldSlug")
    if not isinstance(name, str) or name not in fields:
        known = ", ".join(sorted(fields))
        raise bad_query("sortBy", f"sortBy: unknown field {shown(name)} (known: {known}).")
    order = raw.get("order", "ASC")
    if not isinstance(order, str) or order.upper() not in Order.__members__:
        raise bad_query("sortBy", f"sortBy: the order of {name} is ASC or DESC, not {shown(order)}.")
    return SortKey(name, Order(order.upper()))


def _sort(raw: object, fields: RecordFields) -> tuple[SortKey, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_query("sortBy", f'sortBy is a JSON array of {{"fieldSlug", "order"}}, not {shown(raw)}.')
    if len(raw) > MAX_SORT_KEYS:
        raise bad_query("sortBy", f"sortBy holds at most {MAX_SORT_KEYS} keys.")
    keys = tuple(_sort_key(one, fields) for one in raw)
    names = [key.field for key in keys]
    for name in names:
        if names.count(name) > 1:
            raise bad_query("sortBy", f"sortBy names {name} more than once.")
    return keys


def _flag(parameter: str, raw: str | None) -> bool:
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise bad_query(parameter, f"{parameter} is true or false, not {shown(raw)}.")


def _language(raw: str | None) -> str | None:
    try:
        return language_code(raw)
    except PatronError as refused:
        raise bad_query("languageCode", refused.message) from None


def parse_list_query(query: Mapping[str, str], fields: RecordFields) -> ListQuery:
    """The list query in `query` (the query string's values, by parameter name) for a resource
    with `fields`; parameters it does not name are left to the route."""
    raw_filters = _json("filters", query.get("filters"))
    return ListQuery(
        offset=_whole("offset", query.get("offset"), 0, 0, MAX_OFFSET),
        limit=_whole("limit", query.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        fields=_fields(_json("fields", query.get("fields")), fields),
        filters=None if raw_filters is None else read_filters(raw_filters, fields),
        sort=_sort(_json("sortBy", query.get("sortBy")), fields),
        fetch_total_count=_flag("fetchTotalCount", query.get("fetchTotalCount")),
        language_code=_language(query.get("languageCode")),
    )
