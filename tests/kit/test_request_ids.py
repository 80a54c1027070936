"""Request ids: unique within an application and across applications, in the shape clients see."""

from __future__ import annotations

import re

from patron.kit.ids import RequestIds


def test_request_ids_are_32_hex_digits_and_never_repeat() -> None:
    ids = RequestIds()
    made = [ids.new() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in made)
    assert len(set(made)) == len(made)


def test_two_applications_make_ids_of_their_own() -> None:
    one, other = RequestIds(), RequestIds()
    first, second = [one.new() for _ in range(1000)], [other.new() for _ in range(1000)]
    # Same counter positions, different prefixes, so the ids cannot meet.
    assert first[0][16:] == second[0][16:]
    assert first[0][:16] != second[0][:16]
    assert not set(first) & set(second)
