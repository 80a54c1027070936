"""The answer of every record list: `{"data": [...], "paging": {"offset", "limit",
"totalCount"?}}`, each record cut to the `fields` asked for (always with its `id`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NotRequired

# typing_extensions' TypedDict (pydantic's own dependency): pydantic refuses typing's before
# Python 3.12, and a route may declare this page as its response.
from typing_extensions import TypedDict

from patron.records.query import ListQuery


class Paging(TypedDict):
    offset: int
    limit: int
    # Only when the list was asked `fetchTotalCount=true`.
    totalCount: NotRequired[int]


class RecordPage(TypedDict):
    data: list[dict[str, object]]
    paging: Paging


def projected(record: Mapping[str, object], query: ListQuery) -> dict[str, object]:
    """`record` with only `id` and the fields the query asks for, in the record's own order."""
    if query.fields is None:
        return dict(record)
    keep = {"id", *query.fields}
    return {name: value for name, value in record.items() if name in keep}


def record_page(records: Sequence[Mapping[str, object]], query: ListQuery, total: int | None) -> RecordPage:
    """The envelope of one page; `total` is the count behind `totalCount`, given exactly when
    the query asks for it."""
    if query.fetch_total_count and total is None:
        raise ValueError("fetchTotalCount was asked for; count the records first")
    paging = Paging(offset=query.offset, limit=query.limit)
    if query.fetch_total_count and total is not None:
        paging["totalCount"] = total
    return RecordPage(data=[projected(record, query) for record in records], paging=paging)
