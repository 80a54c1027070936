"""Offset/count paging with previous/next links, the shape Engage clients read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

MAX_COUNT = 1000
DEFAULT_COUNT = 100


@dataclass(frozen=True)
class PageRequest:
    offset: int = 0
    count: int = DEFAULT_COUNT


def link(href: str, rel: str, method: str = "GET") -> dict[str, str]:
    return {"href": href, "method": method, "rel": rel}


def page_links(
    base: str, query: dict[str, Any], page: PageRequest, total: int
) -> list[dict[str, str]]:
    """`previous` and `next` links; an empty href where there is no such page."""

    def href(offset: int) -> str:
        params = {k: v for k, v in query.items() if v is not None}
        params.update(offset=offset, count=page.count)
        return f"{base}?{urlencode(params)}"

    previous = href(max(page.offset - page.count, 0)) if page.offset > 0 else ""
    following = href(page.offset + page.count) if page.offset + page.count < total else ""
    return [link(previous, "previous"), link(following, "next")]


def page_body(
    items: list[Any], base: str, query: dict[str, Any], page: PageRequest, total: int
) -> dict[str, Any]:
    return {
        "links": page_links(base, query, page, total),
        "count": len(items),
        "offset": page.offset,
        "items": items,
        "totalCount": total,
    }
