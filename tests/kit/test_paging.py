"""Paging links: previous and next, empty where there is no such page."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patron.kit.paging import PageRequest, page_body, page_links


def test_middle_page_links_both_ways() -> None:
    links = page_links(
        "http://x/items", {"filter": "All", "skip": None}, PageRequest(offset=20, count=10), 100
    )
    assert links == [
        {"href": "http://x/items?filter=All&offset=10&count=10", "method": "GET", "rel": "previous"},
        {"href": "http://x/items?filter=All&offset=30&count=10", "method": "GET", "rel": "next"},
    ]


@given(offset=st.integers(0, 500), count=st.integers(1, 100), total=st.integers(0, 600))
def test_next_exists_exactly_when_items_remain(offset: int, count: int, total: int) -> None:
    body = page_body([], "http://x/i", {}, PageRequest(offset, count), total)
    previous, following = body["links"]
    assert (following["href"] != "") == (offset + count < total)
    assert (previous["href"] != "") == (offset > 0)
    assert body["totalCount"] == total
