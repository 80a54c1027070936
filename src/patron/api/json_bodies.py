"""What every JSON body must be before any route reads it: no key twice in one object, and
nested at most MAX_DEPTH deep.

Checked once, for every route, as the body arrives (api/request_context.py): a duplicate key
would otherwise be read as its last value by some parsers and its first by others, and a
deeply nested body is work (and recursion) for every layer after. A body that is not JSON at
all is left to the route, which refuses it in its dialect's words.
"""

from __future__ import annotations

import json
from typing import Any

# Engage bodies nest 4 deep at most (a receipt's line's discounts); free-form `extraData`
# gets room to spare.
MAX_DEPTH = 64


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


def _nests_deeper_than_allowed(value: Any) -> bool:
    """Walked a level at a time, without recursion, stopping past MAX_DEPTH."""
    level = [value]
    for _ in range(MAX_DEPTH):
        below: list[Any] = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        if not below:
            return False
        level = below
    return True


def _may_nest_deeper_than_allowed(body: bytes) -> bool:
    # A body with fewer brackets than the limit cannot nest deeper (a fast count in C); only
    # the others are walked.
    return body.count(b"[") + body.count(b"{") > MAX_DEPTH


def json_problem(body: bytes) -> str | None:
    """Why `body` is refused (a duplicate key, too deep), or None: a good body, or one that is
    not JSON, which the route refuses itself."""
    try:
        value = json.loads(body, object_pairs_hook=_without_duplicates)
    except _DuplicateKey as duplicate:
        return f"The key {duplicate.key!r} appears twice in one object; send each key once."
    except RecursionError:
        return f"The body nests deeper than {MAX_DEPTH} levels."
    except ValueError:
        return None
    if (
        isinstance(value, dict | list)
        and _may_nest_deeper_than_allowed(body)
        and _nests_deeper_than_allowed(value)
    ):
        return f"The body nests deeper than {MAX_DEPTH} levels."
    return None
